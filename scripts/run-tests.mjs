#!/usr/bin/env node
// Runs the compiled tests with node's own runner: unit tests beside the code
// (`<pkg>/dist/**/*.test.js`, and the bench helpers' in test/dist/bench), then
// end-to-end runs of real processes
// (`test/dist/e2e/*.test.js`, one file at a time: they start servers).
// Usage: node scripts/run-tests.mjs [--unit | --e2e] [name-filter]
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const only = args.includes('--unit') ? 'unit' : args.includes('--e2e') ? 'e2e' : 'all';
const filter = args.find((a) => !a.startsWith('--'));

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const pick = (files) => files.filter((f) => !filter || f.includes(filter)).sort();
const unit = pick([...['shared', 'proto', 'control-plane', 'data-plane'].flatMap((pkg) => walk(join(root, pkg, 'dist'))), ...walk(join(root, 'test', 'dist', 'bench'))]);
const e2e = pick(walk(join(root, 'test', 'dist', 'e2e')));

// Each run also writes TAP to a file so the totals of both runs can be summed
// into one closing line.
const tapDir = mkdtempSync(join(tmpdir(), 'portico-tests-'));
let failed = false;
const totals = { pass: 0, fail: 0, skipped: 0 };
function run(label, files, concurrency) {
  if (files.length === 0) return;
  console.log(`\n# ${label}: ${files.length} file(s)`);
  const tap = join(tapDir, `${label}.tap`);
  const r = spawnSync(
    process.execPath,
    [
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...files.map((f) => relative(root, f)),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (r.status !== 0) failed = true;
  const text = readFileSync(tap, 'utf8');
  for (const key of Object.keys(totals)) {
    const m = new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text);
    if (m) totals[key] += Number(m[1]);
  }
}

if (only !== 'e2e') run('unit', unit, 2);
if (only !== 'unit') run('e2e', e2e, 1);
if (totals.pass + totals.fail === 0) failed = true;
console.log(`\ntests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
