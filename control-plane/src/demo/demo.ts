// `portico demo`: a whole local gateway in one command — a control plane, two
// data-plane processes, an echo upstream, and a service + route created
// through the admin API exactly as a user would. Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseFlags, type CommandSpec } from '@portico/shared';
import { startEchoUpstream } from './demo-upstream.js';

// The launcher, as a user would start each role (it picks the role's Node
// flags); PORTICO_NODE keeps this Node rather than the first on PATH.
const BIN = fileURLToPath(new URL('../../../bin/portico', import.meta.url));

export const DEMO_COMMAND: CommandSpec = {
  usage: 'portico demo [options]',
  summary: 'Start a local gateway: control plane (admin :8001, cluster :8005), data planes on :8000 and :8010, an echo upstream, and a demo route /demo.',
  flags: {
    'data-dir': { type: 'string', default: './data/demo', description: 'Where the demo keeps its database, token and caches' },
    'upstream-port': { type: 'string', default: '9080', description: 'Port of the demo echo upstream' },
  },
};

export async function main(argv: string[]): Promise<void> {
  const f = parseFlags(DEMO_COMMAND, argv);
  if (!f) return;
  const dir = String(f['data-dir']);
  const children: ChildProcess[] = [];
  let stopping = false;

  const run = (label: string, args: string[]): ChildProcess => {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTICO_NODE: process.execPath } });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${label.padEnd(5)}| ${line}\n`));
    }
    child.on('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`${label} exited (${signal ?? code}); stopping the demo\n`);
        void stop(1);
      }
    });
    children.push(child);
    return child;
  };

  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping: data planes drain first, then the control plane\n');
    const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r())));
    const [cp, ...dps] = children;
    for (const c of dps) c.kill('SIGTERM');
    await Promise.all(dps.map(exited));
    cp?.kill('SIGTERM');
    if (cp) await exited(cp);
    upstream.server.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  const upstream = await startEchoUpstream('127.0.0.1', Number(f['upstream-port']));
  run('cp', ['cp', '--db', `${dir}/portico.db`]);
  const admin = 'http://127.0.0.1:8001';
  await waitFor(`${admin}/status`, 15_000);
  run('dp1', ['dp', '--workers', '1', '--node-id', 'dp1', '--proxy-listen', '0.0.0.0:8000', '--status-listen', '127.0.0.1:8100', '--cache-dir', `${dir}/dp1`, '--cluster-token-file', `${dir}/cluster.token`]);
  run('dp2', ['dp', '--workers', '1', '--node-id', 'dp2', '--proxy-listen', '0.0.0.0:8010', '--status-listen', '127.0.0.1:8110', '--cache-dir', `${dir}/dp2`, '--cluster-token-file', `${dir}/cluster.token`]);

  // PUT is an upsert, so re-running the demo on the same data dir is harmless.
  await call('PUT', `${admin}/services/demo`, { url: `http://127.0.0.1:${upstream.port}/` });
  const res = await call('PUT', `${admin}/routes/demo`, { paths: ['/demo'], service: { name: 'demo' } });
  const version = Number(res.headers.get('x-portico-config-version'));
  await Promise.all(['http://127.0.0.1:8100/status', 'http://127.0.0.1:8110/status'].map((u) => waitFor(u, 20_000, version)));

  process.stdout.write(`
Portico demo is up (config version ${version}).

  curl -i http://127.0.0.1:8000/demo/hello      # through data plane 1
  curl -i http://127.0.0.1:8010/demo/hello      # through data plane 2
  curl -s http://127.0.0.1:8001/services        # admin API (Kong-compatible)
  curl -s http://127.0.0.1:8001/clustering/data-planes
  curl -s -X POST http://127.0.0.1:8001/services/demo/routes --data name=echo --data 'paths[]=/echo'
  curl -i http://127.0.0.1:8000/echo            # live on both data planes, no restart

Ctrl-C stops everything.
`);
}

async function call(method: string, url: string, body: unknown): Promise<Response> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
  return res;
}

/** Polls `url` until it answers 200 (and, with `version`, reports config_version ≥ it). */
async function waitFor(url: string, timeoutMs: number, version?: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) {
        if (version === undefined) return;
        const body = (await res.json()) as { config_version?: number };
        if ((body.config_version ?? 0) >= version) return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
