// The bench harness still runs end to end: `run.js --quick --only S1` starts
// nginx, the Node peers, the floor and Portico, loads each with wrk and writes
// its report. Portico and the Node floor must each produce a row with traffic
// and no errors. Numbers are not judged here: CI machines are noisy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../lib/processes.js';

const RUN = fileURLToPath(new URL('../bench/run.js', import.meta.url));
const onPath = (bin: string) => ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin'].some((d) => existsSync(join(d, bin)));
const canInstall = process.getuid?.() === 0 && onPath('apt-get');
const missing = ['nginx', 'wrk'].filter((b) => !onPath(b));

interface Row {
  proxy: string;
  c: { rps: number; errors: number };
  c1: { rps: number; errors: number } | null;
}

test(
  'bench --quick --only S1 reports Portico and the Node floor with traffic and no errors',
  { timeout: 180_000, skip: missing.length > 0 && !canInstall ? `needs ${missing.join(', ')} (apt-get install nginx-light wrk)` : false },
  async () => {
    const out = tempDir('portico-bench-smoke-');
    const child = spawn(process.execPath, [RUN, '--quick', '--only', 'S1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 0, `bench exited with ${code}:\n${stderr.slice(-3000)}`);

    const files = readdirSync(out);
    const json = files.find((f) => f.endsWith('.json'));
    assert.ok(json, `no JSON report in ${out}: ${files.join(', ')}`);
    assert.ok(files.some((f) => f.endsWith('.md')), 'no markdown report');
    const report = JSON.parse(readFileSync(join(out, json), 'utf8')) as { scenarios: { id: string; status: string; data: { rows?: Row[] } }[] };
    const s1 = report.scenarios.find((s) => s.id === 'S1');
    assert.ok(s1, 'no S1 in the report');
    for (const proxy of ['portico', 'node-floor']) {
      const row: Row | undefined = s1.data.rows?.find((r: Row) => r.proxy === proxy);
      assert.ok(row, `no S1 row for ${proxy}; stderr:\n${stderr.slice(-3000)}`);
      assert.ok(row.c.rps > 0, `${proxy}: zero throughput`);
      assert.equal(row.c.errors, 0, `${proxy}: ${row.c.errors} errors at c64`);
      assert.equal(row.c1?.errors ?? 0, 0, `${proxy}: errors at c1`);
    }
    // The printed table has both rows too.
    assert.match(stdout, /^\| Portico \(1 data plane, 1 route\) \| \d+/m);
    assert.match(stdout, /^\| Node floor [^|]*\| \d+/m);
  },
);
