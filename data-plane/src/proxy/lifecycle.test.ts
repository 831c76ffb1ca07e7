// Config hot swap, graceful close, and upstream connection pools that survive
// swaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { collect, makeConfig, makeRoute, makeService, send, startProxy, startUpstream } from './test-support.js';

test('hot swap mid-request: the in-flight request finishes on the old route, the next one uses the new', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const slowArrived = new Promise<void>((r) => (arrived = r));
  const oldUp = await startUpstream((_req, res) => {
    arrived();
    void gate.then(() => res.end('old'));
  });
  const newUp = await startUpstream((_req, res) => res.end('new'));
  const px = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(oldUp.port)) }], 1));
  try {
    const inflight = send(px.port, { path: '/x' });
    await slowArrived;
    px.cell.current = makeConfig([{ prefix: '/', route: makeRoute(makeService(newUp.port)) }], 2);
    const next = await send(px.port, { path: '/x' });
    assert.equal(next.body.toString(), 'new');
    release();
    const first = await inflight;
    assert.equal(first.status, 200);
    assert.equal(first.body.toString(), 'old');
  } finally {
    release();
    await px.close();
    await oldUp.close();
    await newUp.close();
  }
});

test('close(drainMs): an in-flight request finishes, new connections are refused, idle keep-alive connections close at once', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const slowArrived = new Promise<void>((r) => (arrived = r));
  const up = await startUpstream((req, res) => {
    if (req.url === '/slow') {
      arrived();
      void gate.then(() => res.end('finished'));
    } else res.end('quick');
  });
  const px = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(up.port)) }]));
  const agent = new Agent({ keepAlive: true, maxSockets: 10 });
  try {
    // An idle keep-alive connection, left open by the agent.
    let idleClosed = false;
    await new Promise<void>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port: px.port, path: '/quick', agent }, (res) => {
        res.socket.once('close', () => (idleClosed = true));
        void collect(res).then(() => resolve(), reject);
      });
      r.on('error', reject);
      r.end();
    });
    const inflight = send(px.port, { path: '/slow' });
    await slowArrived;
    assert.equal(px.proxy.inFlight(), 1);
    const closing = px.proxy.close(5_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(idleClosed, true, 'idle keep-alive connection still open');
    await assert.rejects(send(px.port, { path: '/quick' }), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
    release();
    const r = await inflight;
    assert.equal(r.body.toString(), 'finished');
    await closing;
    assert.equal(px.proxy.inFlight(), 0);
  } finally {
    release();
    agent.destroy();
    await px.close();
    await up.close();
  }
});

test('close(drainMs): a request still running at the deadline is cut off and close() resolves', async () => {
  const up = await startUpstream(() => {}); // never answers
  const px = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(up.port)) }]));
  try {
    const outcome = send(px.port, { path: '/' }).then(() => 'answered', () => 'cut');
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await px.proxy.close(100);
    assert.ok(Date.now() - t0 < 2_000);
    assert.equal(await outcome, 'cut');
  } finally {
    await px.close();
    await up.close();
  }
});

test('upstream keep-alive connections are reused across config swaps (pools keyed by origin, not config)', async () => {
  const up = await startUpstream((_req, res) => res.end('ok'));
  const px = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(up.port)) }], 1));
  try {
    for (let i = 0; i < 3; i++) assert.equal((await send(px.port, { path: '/a' })).status, 200);
    // A new generation: new compiled objects for the same upstream.
    px.cell.current = makeConfig([{ prefix: '/', route: makeRoute(makeService(up.port)) }], 2);
    await px.pools.retain(new Set([`http://127.0.0.1:${up.port}`]));
    for (let i = 0; i < 3; i++) assert.equal((await send(px.port, { path: '/b' })).status, 200);
    assert.equal(up.connections(), 1, 'a new upstream connection was opened');
    assert.equal(px.pools.size, 1);
  } finally {
    await px.close();
    await up.close();
  }
});

test('retain() closes the pools of origins no config uses any more', async () => {
  const a = await startUpstream((_req, res) => res.end('a'));
  const b = await startUpstream((_req, res) => res.end('b'));
  const px = await startProxy(
    makeConfig([
      { prefix: '/a', route: makeRoute(makeService(a.port)) },
      { prefix: '/b', route: makeRoute(makeService(b.port)) },
    ]),
  );
  try {
    await send(px.port, { path: '/a' });
    await send(px.port, { path: '/b' });
    assert.equal(px.pools.size, 2);
    await px.pools.retain(new Set([`http://127.0.0.1:${a.port}`]));
    assert.equal(px.pools.size, 1);
  } finally {
    await px.close();
    await a.close();
    await b.close();
  }
});
