// Starting and stopping the peers the bench measures (nginx, the Node
// gateways, the floor): each is a real process, pinned at spawn, stopped by
// the cleanup registry whatever happens.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { onCleanup } from './cleanup.js';
import { sleep } from './stats.js';
import { pinnedCommand, type CpuPlan } from './system.js';

export interface Peer {
  label: string;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (for nginx, which cannot report an ephemeral one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function spawnPinned(plan: CpuPlan, cpu: string, label: string, cmd: string, args: string[]): { child: ChildProcess; output: string[]; stop: () => Promise<void> } {
  const [c, a] = pinnedCommand(plan, cpu, cmd, args);
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  for (const s of [child.stdout!, child.stderr!]) {
    createInterface({ input: s }).on('line', (l) => {
      output.push(l);
      if (output.length > 200) output.shift();
      if (process.env['PORTICO_BENCH_LOGS']) process.stderr.write(`[${label}] ${l}\n`);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = onCleanup(label, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  });
  return { child, output, stop };
}

/** Polls `url` until it answers 200 (or throws with the peer's last output). */
export async function waitHealthy(url: string, label: string, output: string[], child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} exited (${child.exitCode}):\n${output.slice(-20).join('\n')}`);
    try {
      const r = await request(url);
      await r.body.dump();
      if (r.statusCode === 200) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${label} not healthy at ${url} within ${timeoutMs} ms:\n${output.slice(-20).join('\n')}`);
    await sleep(50);
  }
}

/**
 * Starts one of this folder's Node peer scripts (`node-floor.js`,
 * `peer-*.js`): they listen on an ephemeral port and print
 * `{"msg":"listening","port":N}`.
 */
export async function startNodePeer(plan: CpuPlan, label: string, script: string, upstream: string): Promise<Peer> {
  const path = new URL(`./${script}`, import.meta.url).pathname;
  const p = spawnPinned(plan, plan.proxyCpu, label, process.execPath, [path, '--upstream', upstream]);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not report its port:\n${p.output.join('\n')}`)), 15_000);
    p.child.once('exit', (code) => reject(new Error(`${label} exited (${code}):\n${p.output.join('\n')}`)));
    createInterface({ input: p.child.stdout! }).on('line', (l) => {
      try {
        const msg = JSON.parse(l) as { msg?: string; port?: number };
        if (msg.msg === 'listening' && msg.port) {
          clearTimeout(timer);
          resolve(msg.port);
        }
      } catch {
        /* other output */
      }
    });
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/100b`, label, p.output, p.child);
  return { label, pid: p.child.pid!, url, stop: p.stop };
}
