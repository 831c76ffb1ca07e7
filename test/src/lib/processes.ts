// Runs the real `bin/portico` processes for end-to-end tests and benchmarks,
// through the launcher a user runs (it picks the Node flags; PORTICO_NODE makes
// it use this Node). Ports are ephemeral (port 0); each process reports the addresses it bound in
// its JSON start-up log line, which is how the harness finds them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** The launcher (`bin/portico`, a shell script that execs Node on `bin/portico.mjs`). */
export const BIN = fileURLToPath(new URL('../../../bin/portico', import.meta.url));
/** The environment the launcher needs to run this test's Node rather than the first one on PATH. */
export const LAUNCH_ENV = { PORTICO_NODE: process.execPath };
export const CLUSTER_TOKEN = 'test-cluster-token-0123456789abcdef';

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

export class PorticoProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  private waiters: { test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `cpu`: start pinned to these CPUs (`taskset -c`), so the launcher and Node see only them, as under a cpuset. */
  constructor(readonly label: string, args: string[], env: Record<string, string> = {}, cpu?: string | undefined) {
    const [cmd, argv] = cpu === undefined ? [BIN, args] : ['taskset', ['-c', cpu, BIN, ...args]];
    this.child = spawn(cmd, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...LAUNCH_ENV, PORTICO_CLUSTER_TOKEN: CLUSTER_TOKEN, ...env },
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (text) => {
        this.raw.push(text);
        if (process.env['PORTICO_TEST_LOGS']) process.stderr.write(`[${label}] ${text}\n`);
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          return;
        }
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => (w.test(line) ? (w.resolve(line), false) : true));
      });
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first log line (past or future) that passes `test`. */
  waitForLog(test: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no matching log line within ${timeoutMs} ms; last lines:\n${this.raw.slice(-15).join('\n')}`)), timeoutMs);
      const onExit = () => reject(new Error(`${this.label} exited before the expected log line; last lines:\n${this.raw.slice(-15).join('\n')}`));
      this.child.once('exit', onExit);
      this.waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          this.child.off('exit', onExit);
          resolve(l);
        },
      });
    });
  }

  /** Sends `signal` and waits for exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const res = await this.exited;
    clearTimeout(timer);
    return res;
  }
}

export interface ControlPlane {
  proc: PorticoProcess;
  admin: string;
  clusterAddress: string;
  clusterPort: number;
  dbPath: string;
}

export function tempDir(prefix = 'portico-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startControlPlane(opts: { dbPath?: string; clusterPort?: number; adminPort?: number; env?: Record<string, string> } = {}): Promise<ControlPlane> {
  const dbPath = opts.dbPath ?? join(tempDir(), 'portico.db');
  const proc = new PorticoProcess('cp', ['cp', '--db', dbPath, '--admin-listen', `127.0.0.1:${opts.adminPort ?? 0}`, '--cluster-listen', `127.0.0.1:${opts.clusterPort ?? 0}`], opts.env);
  const started = await proc.waitForLog((l) => l.msg === 'control plane started');
  const clusterAddress = String(started['cluster']);
  return { proc, admin: String(started['admin']), clusterAddress, clusterPort: Number(clusterAddress.split(':').pop()), dbPath };
}

export interface DataPlane {
  proc: PorticoProcess;
  proxy: string;
  status: string;
  nodeId: string;
  cacheDir: string;
}

/**
 * `workers` (default 1: one process, as before `--workers`) is passed as
 * `--workers N`; `cpu` pins the node from its start (see PorticoProcess).
 */
export async function startDataPlane(opts: { controlPlane: string; nodeId: string; cacheDir?: string; proxyPort?: number; env?: Record<string, string>; waitForStart?: boolean; workers?: number; drainMs?: number; cpu?: string | undefined }): Promise<DataPlane> {
  const cacheDir = opts.cacheDir ?? tempDir('portico-dp-');
  const proc = new PorticoProcess(opts.nodeId, ['dp', '--control-plane', opts.controlPlane, '--node-id', opts.nodeId, '--proxy-listen', `127.0.0.1:${opts.proxyPort ?? 0}`, '--status-listen', '127.0.0.1:0', '--cache-dir', cacheDir, '--drain-timeout', String(opts.drainMs ?? 3000), '--workers', String(opts.workers ?? 1)], opts.env, opts.cpu);
  const started = await proc.waitForLog((l) => l.msg === 'data plane started');
  return { proc, proxy: `http://${String(started['proxy'])}`, status: `http://${String(started['status'])}`, nodeId: opts.nodeId, cacheDir };
}
