// Active checks against real servers: an HTTP target that flips between 200
// and 500, a TCP port that refuses, probe loops that start, stop, keep running
// across an unchanged config and never overlap.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { CompiledUpstream } from '../compile/types.js';
import { healthConfig } from './config.js';
import { HealthRegistry } from './registry.js';
import { upstreamEntity } from './test-fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function flipper(): Promise<{ server: Server; port: number; status: { code: number }; hits: () => number; close(): Promise<void> }> {
  const status = { code: 200 };
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    res.writeHead(req.url === '/health' ? status.code : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, status, hits: () => hits, close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

async function refusedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function upstream(name: string, ports: number[]): CompiledUpstream {
  return {
    id: `id-${name}`,
    name,
    hostHeader: null,
    targets: ports.map((port, index) => ({ id: `t${index}`, index, host: '127.0.0.1', port, weight: 100, target: `127.0.0.1:${port}`, isName: false })),
    balancer: { pick: () => null },
  } as unknown as CompiledUpstream;
}

const active = (o: Record<string, unknown> = {}) =>
  healthConfig(upstreamEntity({ active: { http_path: '/health', timeout: 0.5, healthy: { interval: 0.05, successes: 2 }, unhealthy: { interval: 0.05, http_failures: 2, tcp_failures: 1, timeouts: 1 }, ...o } }));

describe('active health checks', () => {
  const registries: HealthRegistry[] = [];
  after(() => registries.forEach((r) => r.close()));

  test('an HTTP target flipping 200 → 500 → 200 goes unhealthy after http_failures and back after successes', async () => {
    const f = await flipper();
    const reg = new HealthRegistry();
    registries.push(reg);
    const u = upstream('flip', [f.port]);
    reg.sync([u], new Map([[u.id, active()]]));
    const addr = `127.0.0.1:${f.port}`;
    await until('first probes', () => f.hits() >= 2);
    assert.equal(reg.isAvailable('flip', addr), true);
    f.status.code = 500;
    await until('unhealthy', () => !reg.isAvailable('flip', addr));
    assert.equal(reg.report()[0]!.targets[0]!.health, 'UNHEALTHY');
    f.status.code = 200;
    await until('healthy again', () => reg.isAvailable('flip', addr));
    assert.equal(reg.report()[0]!.targets[0]!.health, 'HEALTHY');
    await f.close();
  });

  test('a refused TCP port is unhealthy after tcp_failures (tcp and http probes alike)', async () => {
    const port = await refusedPort();
    for (const type of ['tcp', 'http'] as const) {
      const reg = new HealthRegistry();
      registries.push(reg);
      const u = upstream(`refused-${type}`, [port]);
      reg.sync([u], new Map([[u.id, active({ type })]]));
      await until(`${type} unhealthy`, () => !reg.isAvailable(u.name, `127.0.0.1:${port}`));
    }
  });

  test('a TCP check passes on a listening port; a timeout counts as timeouts', async () => {
    const f = await flipper();
    const reg = new HealthRegistry();
    registries.push(reg);
    const u = upstream('tcp-ok', [f.port]);
    reg.sync([u], new Map([[u.id, active({ type: 'tcp' })]]));
    await until('probed', () => (reg.checker('tcp-ok')?.probes ?? 0) >= 3);
    assert.equal(reg.isAvailable('tcp-ok', `127.0.0.1:${f.port}`), true);
    // An HTTP server that never answers: the probe times out.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const sp = (silent.address() as AddressInfo).port;
    const v = upstream('silent', [sp]);
    reg.sync([u, v], new Map([[u.id, active({ type: 'tcp' })], [v.id, active({ timeout: 0.1 })]]));
    await until('timed out', () => !reg.isAvailable('silent', `127.0.0.1:${sp}`));
    silent.closeAllConnections();
    silent.close();
    await f.close();
  });

  test('an unchanged config keeps the running loop; a changed one replaces it; a removed upstream stops probing', async () => {
    const f = await flipper();
    const reg = new HealthRegistry();
    registries.push(reg);
    const u = upstream('keep', [f.port]);
    const cfg = active();
    reg.sync([u], new Map([[u.id, cfg]]));
    const first = reg.checker('keep');
    reg.sync([upstream('keep', [f.port])], new Map([[u.id, healthConfig(upstreamEntity({ active: { http_path: '/health', timeout: 0.5, healthy: { interval: 0.05, successes: 2 }, unhealthy: { interval: 0.05, http_failures: 2, tcp_failures: 1, timeouts: 1 } } }))]]));
    assert.equal(reg.checker('keep'), first, 'equal settings: same loop');
    reg.sync([u], new Map([[u.id, active({ http_path: '/other' })]]));
    assert.notEqual(reg.checker('keep'), first);
    reg.sync([], new Map());
    assert.equal(reg.checker('keep'), undefined);
    await sleep(100);
    const hits = f.hits();
    await sleep(200);
    assert.equal(f.hits(), hits, 'no probe after the upstream left the config');
    await f.close();
  });

  test('rounds never overlap and at most `concurrency` probes run at once', async () => {
    let running = 0;
    let peak = 0;
    let probes = 0;
    const perTarget = new Map<number, number>();
    let overlap = false;
    const reg = new HealthRegistry({
      probe: async (t) => {
        probes++;
        running++;
        peak = Math.max(peak, running);
        if ((perTarget.get(t.port) ?? 0) > 0) overlap = true;
        perTarget.set(t.port, 1);
        await sleep(40); // longer than the 10 ms interval
        perTarget.set(t.port, 0);
        running--;
        return { outcome: 1, detail: '200' };
      },
    });
    registries.push(reg);
    const u = upstream('slow', [1, 2, 3, 4, 5, 6]);
    reg.sync([u], new Map([[u.id, active({ concurrency: 2, healthy: { interval: 0.01 } })]]));
    await sleep(300);
    reg.close();
    assert.ok(probes >= 6, `probes: ${probes}`);
    assert.equal(peak, 2);
    assert.equal(overlap, false, 'a target was probed by two rounds at once');
  });

  test('closing the registry aborts probes and stops every loop', async () => {
    const f = await flipper();
    const reg = new HealthRegistry();
    const u = upstream('closing', [f.port]);
    reg.sync([u], new Map([[u.id, active()]]));
    await until('probed', () => f.hits() > 0);
    reg.close();
    await sleep(50);
    const hits = f.hits();
    await sleep(200);
    assert.equal(f.hits(), hits);
    await f.close();
  });
});
