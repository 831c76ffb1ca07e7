// Retries on connection failure, counted honestly: the upstream is a TCP
// server that accepts and resets every connection, so each accepted
// connection is exactly one attempt (a refused port cannot be counted).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { makeConfig, makeRoute, makeService, send, startProxy, startResetter, startUpstream, type RunningProxy, type Upstream } from './test-support.js';

describe('retries', () => {
  let reset: Upstream;
  let px: RunningProxy;
  before(async () => {
    reset = await startResetter();
    px = await startProxy(
      makeConfig([
        { prefix: '/r0', route: makeRoute(makeService(reset.port, { retries: 0 })) },
        { prefix: '/r3', route: makeRoute(makeService(reset.port, { retries: 3, connectTimeout: 2000 })) },
      ]),
    );
  });
  after(async () => {
    await px.close();
    await reset.close();
  });

  const attempts = async (path: string, body?: string): Promise<{ status: number; attempts: number }> => {
    const before = reset.connections();
    const r = await send(px.port, { path, method: body === undefined ? 'GET' : 'POST', ...(body !== undefined ? { body } : {}) });
    return { status: r.status, attempts: reset.connections() - before };
  };

  test('retries: 0 → exactly one attempt, then 502', async () => {
    assert.deepEqual(await attempts('/r0'), { status: 502, attempts: 1 });
  });

  test('retries: 3 on a resetting upstream → four attempts, then 502', async () => {
    assert.deepEqual(await attempts('/r3'), { status: 502, attempts: 4 });
  });

  test('a request whose body has started streaming is never retried (a body is never sent twice)', async () => {
    // Resets only after receiving bytes, i.e. once the body is on its way.
    let conns = 0;
    const late = createServer((s) => {
      conns++;
      s.once('data', () => s.resetAndDestroy());
    });
    await new Promise<void>((r) => late.listen(0, '127.0.0.1', r));
    const port = (late.address() as AddressInfo).port;
    const local = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(port, { retries: 3 })) }]));
    try {
      const r = await send(local.port, { method: 'POST', path: '/', body: 'y'.repeat(200_000) });
      assert.equal(r.status, 502);
      assert.equal(conns, 1);
    } finally {
      await local.close();
      await new Promise<void>((r) => late.close(() => r()));
    }
  });

  test('a retry after a failed first connection reaches a healthy upstream (refused, then served)', async () => {
    // A front that resets only its first connection models one failed attempt.
    let n = 0;
    const flaky = await startUpstream((_req, res) => res.end('served'));
    const front = createServer((s) => {
      if (n++ === 0) return void s.resetAndDestroy();
      // Later connections are piped to the healthy upstream.
      const u = connect(flaky.port, '127.0.0.1');
      s.pipe(u).pipe(s);
      s.on('error', () => u.destroy());
      u.on('error', () => s.destroy());
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const port = (front.address() as AddressInfo).port;
    const local = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(port, { retries: 1 })) }]));
    try {
      const r = await send(local.port, { path: '/' });
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), 'served');
      assert.equal(n, 2);
    } finally {
      await local.close();
      await new Promise<void>((r) => front.close(() => r()));
      await flaky.close();
    }
  });

  test('the client going away mid-request aborts the upstream request', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const slow = await startUpstream((_req, res) => {
      res.on('close', () => upstreamClosed());
      res.writeHead(200);
      res.write('start');
    });
    const local = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(slow.port)) }]));
    try {
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port: local.port, path: '/', agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {});
        req.end();
      });
      await closed;
      assert.equal(local.proxy.inFlight(), 0);
    } finally {
      await local.close();
      await slow.close();
    }
  });
});
