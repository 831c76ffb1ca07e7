// `pnpm bench` — Portico against real peers (nginx, the Node gateways users
// pick, a hand-written Node floor), loaded by wrk with the proxy pinned to one
// CPU and wrk + upstream to another. Flags (after `pnpm bench --`):
//
//   --quick             one short run per proxy (CI smoke): 2 s, fewer routes and writes
//   --only S1,S3        run only these scenarios (S1..S6)
//   --duration 3        seconds per measured run        --runs 7      rounds, one run of each configuration (median)
//   --warmup 5          seconds of warm-up per proxy     --connections 64
//   --routes 10000      large-table size (S3, S5, S6)    --writes 100  writes for S5
//   --out DIR           where <timestamp>.{md,json} go (default ./bench-results)
//   --proxy-cpu 0 --load-cpu 1
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { aborting, cleanupAll, installSignalCleanup } from './cleanup.js';
import type { BenchContext, BenchOptions, ScenarioResult } from './context.js';
import { startNginxUpstream } from './nginx.js';
import { writeResults, type RunInfo } from './report.js';
import { s1 } from './s1-throughput.js';
import { s2 } from './s2-plugins.js';
import { s3 } from './s3-routes.js';
import { s4 } from './s4-churn.js';
import { s5 } from './s5-write-to-live.js';
import { s6 } from './s6-memory.js';
import { cpuPlan, ensurePeerBinaries, pin } from './system.js';

const SCENARIOS: Record<string, (ctx: BenchContext) => Promise<ScenarioResult>> = { S1: s1, S2: s2, S3: s3, S4: s4, S5: s5, S6: s6 };
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const { values } = parseArgs({
  // `pnpm bench -- --only S1` hands the `--` separator through to the script.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    duration: { type: 'string' },
    runs: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    routes: { type: 'string' },
    writes: { type: 'string' },
    streams: { type: 'string' },
    out: { type: 'string' },
    'proxy-cpu': { type: 'string', default: '0' },
    'load-cpu': { type: 'string', default: '1' },
  },
});

const num = (v: string | undefined, dflt: number, name: string): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
  return n;
};
const quick = values.quick ?? false;
const only = values.only ? new Set(values.only.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)) : null;
for (const id of only ?? []) if (!(id in SCENARIOS)) throw new Error(`--only: unknown scenario ${id} (known: ${Object.keys(SCENARIOS).join(', ')})`);
const opts: BenchOptions = {
  quick,
  only,
  // Many short rounds rather than a few long ones: on a shared machine a
  // neighbour's burst then spoils one round, and the median of the per-round
  // ratios steps over it (3 rounds of 10 s moved ratios by ±0.3 run to run).
  durationS: num(values.duration, quick ? 2 : 3, 'duration'),
  warmupS: num(values.warmup, quick ? 1 : 5, 'warmup'),
  runs: num(values.runs, quick ? 1 : 7, 'runs'),
  connections: num(values.connections, 64, 'connections'),
  c1DurationS: quick ? 1 : num(values.duration, 3, 'duration'),
  bodies: quick ? ['100b'] : ['100b', '4k'],
  routes: num(values.routes, quick ? 1000 : 10_000, 'routes'),
  writes: num(values.writes, quick ? 20 : 100, 'writes'),
  streams: num(values.streams, quick ? 20 : 100, 'streams'),
  outDir: values.out ?? `${ROOT}bench-results`,
};

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
installSignalCleanup();
const started = new Date().toISOString();
const results: ScenarioResult[] = [];
let exitCode = 0;
try {
  const bins = ensurePeerBinaries(log);
  const plan = cpuPlan(bins.taskset, values['proxy-cpu'], values['load-cpu']);
  log(plan.note);
  pin(plan, process.pid, plan.loadCpu); // the harness itself stays off the proxy CPU
  const upstream = await startNginxUpstream(plan);
  const ctx: BenchContext = { opts, plan, upstream, log, results: new Map() };
  for (const [id, run] of Object.entries(SCENARIOS)) {
    if (aborting()) break;
    if (only && !only.has(id)) continue;
    if (!only && quick && (id === 'S4' || id === 'S6')) continue; // --quick keeps the smoke short
    log(`${id}…`);
    let res: ScenarioResult;
    try {
      res = await run(ctx);
    } catch (err) {
      res = { id, title: id, status: 'failed', reasons: [`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`], tables: [], notes: [], data: {} };
      log(`${id} failed: ${String(err)}`);
    }
    if (res.status === 'failed') exitCode = 1;
    ctx.results.set(id, res);
    results.push(res);
  }
  const info: RunInfo = {
    started,
    finished: new Date().toISOString(),
    node: process.version,
    cpus: plan.cpus,
    pinning: plan.note,
    options: { ...opts, only: only ? [...only] : null },
    peers: peerVersions(),
  };
  const files = writeResults(opts.outDir, info, results);
  process.stdout.write(`${files.markdown}\n`);
  log(`wrote ${files.md} and ${files.json}`);
} catch (err) {
  log(`aborted: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  exitCode = 1;
} finally {
  await cleanupAll();
}
process.exit(exitCode);

function peerVersions(): Record<string, string> {
  const v: Record<string, string> = {};
  const tryRun = (name: string, cmd: string, args: string[], re: RegExp) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    v[name] = re.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? 'unknown';
  };
  tryRun('nginx', 'nginx', ['-v'], /nginx\/(\S+)/);
  tryRun('wrk', 'wrk', ['-v'], /wrk (\S+)/);
  for (const pkg of ['fastify', '@fastify/http-proxy', 'fast-gateway', 'http-proxy', 'undici']) {
    try {
      const path = fileURLToPath(new URL(`../../node_modules/${pkg}/package.json`, import.meta.url));
      v[pkg] = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      v[pkg] = 'not installed';
    }
  }
  return v;
}
