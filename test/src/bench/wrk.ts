// Runs wrk (pinned to the load CPU) and parses its report: requests/s, the
// --latency percentiles, non-2xx/3xx responses, socket errors, and the dense
// percentile table latency-pool.ts pools across rounds.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';
import { latencyHook, parseLatencyTable, type LatencyTable } from './latency-pool.js';
import { pinnedCommand, type CpuPlan } from './system.js';

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  threads?: number;
  headers?: Record<string, string>;
  /** Path of a Lua script (for request mixes). */
  script?: string;
}

export interface WrkResult {
  rps: number;
  requests: number;
  p50_ms: number;
  p99_ms: number;
  /** Responses wrk saw outside 2xx/3xx. */
  non2xx: number;
  socket_errors: { connect: number; read: number; write: number; timeout: number };
  errors: number;
  /** The run's latency distribution (null when no request completed). */
  latency: LatencyTable | null;
}

let scriptDir: string | undefined;
const scripts = new Map<string, string>();

/** The Lua file wrk runs: the scenario's request script, if any, with the latency hook appended. */
function scriptWithHook(script: string | undefined): string {
  const key = script ?? '';
  let path = scripts.get(key);
  if (path === undefined) {
    if (scriptDir === undefined) {
      const dir = (scriptDir = mkdtempSync(join(tmpdir(), 'portico-wrk-')));
      onCleanup('wrk scripts', () => rmSync(dir, { recursive: true, force: true }));
    }
    path = join(scriptDir, `run-${scripts.size}.lua`);
    writeFileSync(path, (script ? readFileSync(script, 'utf8') : '') + latencyHook());
    scripts.set(key, path);
  }
  return path;
}

export async function runWrk(plan: CpuPlan, opts: WrkOptions): Promise<WrkResult> {
  const args = ['-t', String(opts.threads ?? 1), '-c', String(opts.connections), '-d', `${opts.durationS}s`, '--latency', '--timeout', '5s'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push('-s', scriptWithHook(opts.script));
  args.push(opts.url);
  const [cmd, argv] = pinnedCommand(plan, plan.loadCpu, 'wrk', args);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = onCleanup('wrk', () => child.exitCode === null && child.kill('SIGKILL'));
  // wrk stops by itself; this only guards against a hang.
  const guard = setTimeout(() => child.kill('SIGKILL'), (opts.durationS + 15) * 1000);
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(guard);
  await done();
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${err || out}`);
  return parseWrk(out);
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`unparsable wrk duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function parseWrk(out: string): WrkResult {
  const num = (re: RegExp, fallback?: number): number => {
    const m = re.exec(out);
    if (!m) {
      if (fallback !== undefined) return fallback;
      throw new Error(`wrk output did not match ${re}:\n${out}`);
    }
    return Number(m[1]);
  };
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out);
    if (!m) throw new Error(`wrk output has no ${p}% latency (was --latency passed?):\n${out}`);
    return durationMs(m[1]!);
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socket_errors = sock
    ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
    : { connect: 0, read: 0, write: 0, timeout: 0 };
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/, 0);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in /),
    p50_ms: pct('50'),
    p99_ms: pct('99'),
    non2xx,
    socket_errors,
    errors: non2xx + socket_errors.connect + socket_errors.read + socket_errors.write + socket_errors.timeout,
    latency: parseLatencyTable(out),
  };
}
