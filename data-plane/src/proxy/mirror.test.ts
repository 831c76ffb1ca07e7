// Request mirroring on a real proxy server with real upstreams: the shadow
// gets copies, and nothing about it — slowness, failure, a stalled body —
// reaches the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { collect, closedPort, json, makeConfig, makeRoute, makeService, send, startProxy, startUpstream, type Upstream } from './test-support.js';

interface Seen {
  method: string;
  url: string;
  host: string;
  body: string;
}

async function recorder(opts: { delayMs?: number; readBody?: boolean } = {}): Promise<{ up: Upstream; seen: Seen[] }> {
  const seen: Seen[] = [];
  const up = await startUpstream((req: IncomingMessage, res) => {
    const answer = (body: string) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', body });
      setTimeout(() => res.end(JSON.stringify({ from: 'shadow' })), opts.delayMs ?? 0);
    };
    if (opts.readBody === false) return; // never reads, never answers
    void collect(req).then((b) => answer(b.toString()));
  });
  return { up, seen };
}

async function primary(): Promise<Upstream> {
  return startUpstream((req, res) => {
    void collect(req).then((b) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: 'primary', url: req.url, body: b.toString() }));
    });
  });
}

test('the shadow gets a copy (method, path joined with its service path, body, its own Host); the client sees only the primary', async () => {
  const main = await primary();
  const { up: shadow, seen } = await recorder();
  const mirrorService = makeService(shadow.port, { path: '/shadow' });
  const route = makeRoute(makeService(main.port), { mirror: { service: mirrorService, percentage: 100 } });
  const p = await startProxy(makeConfig([{ prefix: '/m', route }]));
  try {
    const r = await send(p.port, { method: 'POST', path: '/m/orders?x=1', body: 'hello' });
    assert.equal(r.status, 200);
    assert.deepEqual(json(r), { from: 'primary', url: '/orders?x=1', body: 'hello' });
    const g = await send(p.port, { method: 'GET', path: '/m/list' });
    assert.equal(json(g)['from'], 'primary');
    await waitFor(() => seen.length === 2);
    assert.deepEqual(seen.map((s) => [s.method, s.url, s.body]), [['POST', '/shadow/orders?x=1', 'hello'], ['GET', '/shadow/list', '']]);
    assert.equal(seen[0]!.host, `127.0.0.1:${shadow.port}`);
  } finally {
    await p.close();
    await Promise.all([main.close(), shadow.close()]);
  }
});

test('a slow shadow adds no latency, a down shadow causes no error, and both are counted, not surfaced', async () => {
  const main = await primary();
  const { up: slow, seen } = await recorder({ delayMs: 2000 });
  const down = await closedPort();
  const slowRoute = makeRoute(makeService(main.port), { mirror: { service: makeService(slow.port), percentage: 100 } });
  const downRoute = makeRoute(makeService(main.port), { mirror: { service: makeService(down), percentage: 100 } });
  const p = await startProxy(makeConfig([{ prefix: '/slow', route: slowRoute }, { prefix: '/down', route: downRoute }]));
  try {
    const started = Date.now();
    for (let i = 0; i < 5; i++) assert.equal((await send(p.port, { method: 'GET', path: '/slow/x' })).status, 200);
    assert.ok(Date.now() - started < 1500, `5 requests took ${Date.now() - started} ms behind a 2 s shadow`);
    for (let i = 0; i < 5; i++) {
      const r = await send(p.port, { method: 'POST', path: '/down/x', body: 'b' });
      assert.equal(r.status, 200);
      assert.equal(json(r)['from'], 'primary');
    }
    await waitFor(() => p.proxy.mirrors.stats.failed >= 5);
    await waitFor(() => seen.length === 5);
    assert.equal(p.proxy.mirrors.stats.completed, 0, 'the slow shadow has not answered yet, and nobody waited for it');
  } finally {
    await p.close();
    await Promise.all([main.close(), slow.close()]);
  }
});

test('bounded: copies beyond maxInFlight are dropped; a shadow that stalls on the body never back-pressures the client', async () => {
  const main = await primary();
  const { up: stuck } = await recorder({ readBody: false });
  const route = makeRoute(makeService(main.port), { mirror: { service: makeService(stuck.port), percentage: 100 } });
  const p = await startProxy(makeConfig([{ prefix: '/b', route }]), { mirror: { maxInFlight: 2, maxBufferedBytes: 64 * 1024 } });
  try {
    // 1 MiB bodies: far past the copy's buffer, and the shadow never reads.
    const big = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i < 4; i++) {
      const r = await send(p.port, { method: 'POST', path: '/b/up', body: big });
      assert.equal(r.status, 200);
      assert.equal((json(r)['body'] as string).length, big.length);
    }
    const s = p.proxy.mirrors.stats;
    assert.ok(s.dropped >= 2, `dropped ${s.dropped}`);
    assert.ok(p.proxy.mirrors.inFlight() <= 2);
    const none = makeRoute(makeService(main.port), { mirror: { service: makeService(stuck.port), percentage: 0 } });
    p.cell.current = makeConfig([{ prefix: '/b', route: none }]);
    const sentBefore = s.sent;
    for (let i = 0; i < 20; i++) await send(p.port, { method: 'GET', path: '/b/x' });
    assert.equal(s.sent, sentBefore, 'percentage 0 sends nothing');
  } finally {
    await p.close();
    await Promise.all([main.close(), stuck.close()]);
  }
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
