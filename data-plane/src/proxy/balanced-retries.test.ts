// Retries, passive ejection and circuit breakers of a balanced service, on
// real upstream servers through the real proxy, compiled upstreams and health
// registry: retries go to another target; 502/503/504 are retried only for
// idempotent requests with no streamed body; the balancer hears of every
// attempt exactly once; breakers fail fast with Kong-shaped 503s.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Service, Target, Upstream } from '@portico/shared';
import type { TargetAddress } from '../balancer/types.js';
import { compileService } from '../compile/compile-service.js';
import { compileUpstream } from '../compile/compile-upstreams.js';
import { target as targetResource, upstream as upstreamResource, service as serviceResource } from '../compile/test-fixtures.js';
import type { CompiledService, CompiledUpstream } from '../compile/types.js';
import { HealthRegistry } from '../health/registry.js';
import { HealthConfigs } from '../health/snapshot-config.js';
import { closedPort, collect, json, makeConfig, makeRoute, send, startProxy, startResetter, startUpstream, type Upstream as TestUpstream } from './test-support.js';
import { UpstreamPools } from './upstream-pools.js';

interface Balanced {
  readonly port: number;
  readonly upstream: CompiledUpstream;
  readonly registry: HealthRegistry;
  close(): Promise<void>;
}

let seq = 0;

/** A proxy for one service balanced over `ports`, with the registry wired as main.ts does. */
async function balanced(ports: number[], over: { upstream?: Record<string, unknown>; retries?: number } = {}): Promise<Balanced> {
  const n = ++seq;
  const uRes = upstreamResource(`u-${n}`, `up${n}.test`, over.upstream ?? {});
  const tRes = ports.map((p, i) => targetResource(`t-${n}-${i}`, `u-${n}`, `127.0.0.1:${p}`));
  const registry = new HealthRegistry();
  const compiled = compileUpstream(JSON.parse(uRes.body) as Upstream, uRes.body, tRes.map((t) => ({ entity: JSON.parse(t.body) as Target, body: t.body })), undefined, { health: registry }).compiled;
  registry.sync([compiled], new HealthConfigs().read([uRes]));
  const service = compileService(JSON.parse(serviceResource(`s-${n}`, { host: `up${n}.test`, retries: over.retries ?? 5 }).body) as Service, compiled) as CompiledService;
  const pools = new UpstreamPools({ health: registry });
  const px = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(service) }]), { pools });
  return {
    port: px.port,
    upstream: compiled,
    registry,
    close: async () => {
      await px.close();
      await pools.destroy();
      registry.close();
    },
  };
}

const inflight = (u: CompiledUpstream): number[] => u.addressTable.addresses().map((a: TargetAddress) => a.state.inflight);

function named(name: string, status = 200): Promise<TestUpstream & { hits: () => number }> {
  let hits = 0;
  return startUpstream((req, res) => {
    hits++;
    void collect(req).then(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ upstream: name }));
    });
  }).then((u) => Object.assign(u, { hits: () => hits }));
}

describe('balanced retries', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  test('a refused target is retried on the other target, for any method (the upstream never saw it)', async () => {
    const ok = await named('ok');
    const dead = await closedPort();
    const b = await balanced([dead, ok.port]);
    closers.push(ok.close, b.close);
    for (const method of ['GET', 'POST', 'POST', 'PATCH']) {
      const r = await send(b.port, { method, path: '/', body: method === 'GET' ? undefined as never : 'x' });
      assert.equal(r.status, 200, `${method}: ${r.body.toString()}`);
      assert.equal(json(r)['upstream'], 'ok');
    }
    assert.deepEqual(inflight(b.upstream), [0, 0], 'every pick released exactly once');
  });

  test('with retries, a retry never goes back to the address that just failed while another is available', async () => {
    const resetter = await startResetter();
    const ok = await named('ok');
    const b = await balanced([resetter.port, ok.port], { retries: 5 });
    closers.push(resetter.close, ok.close, b.close);
    for (let i = 0; i < 6; i++) assert.equal((await send(b.port, { path: '/' })).status, 200);
    // Round-robin sends every other request to the resetter first; each such request touches it once.
    assert.ok(resetter.connections() <= 3, `resetter saw ${resetter.connections()} connections for 6 requests`);
    assert.deepEqual(inflight(b.upstream), [0, 0]);
  });

  test('a reset after the request reached the upstream is retried for GET but not for POST', async () => {
    // Resets only once request bytes arrived: the upstream saw the request.
    let conns = 0;
    const late = createTcpServer((s) => {
      conns++;
      s.once('data', () => s.resetAndDestroy());
    });
    await new Promise<void>((r) => late.listen(0, '127.0.0.1', r));
    const b = await balanced([(late.address() as AddressInfo).port], { retries: 2 });
    closers.push(() => new Promise<void>((r) => late.close(() => r())), b.close);
    assert.equal((await send(b.port, { path: '/' })).status, 502);
    assert.equal(conns, 3, 'GET: 1 + 2 retries');
    assert.equal((await send(b.port, { method: 'POST', path: '/' })).status, 502);
    assert.equal(conns, 4, 'POST: never sent twice once it may have arrived');
  });

  test('502/503/504 are retried on another target for idempotent methods only', async () => {
    const bad = await named('bad', 503);
    const good = await named('good');
    const b = await balanced([bad.port, good.port]);
    closers.push(bad.close, good.close, b.close);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const before = bad.hits();
      // Two requests: round-robin gives one of them to `bad` first.
      for (let i = 0; i < 2; i++) {
        const r = await send(b.port, { method, path: '/' });
        assert.equal(r.status, 200, method);
        assert.equal(json(r)['upstream'], 'good');
      }
      assert.equal(bad.hits() - before, 1, `${method}: bad tried once`);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await send(b.port, { method: 'POST', path: '/', body: 'x' })).status);
    assert.deepEqual(statuses.sort(), [200, 503], 'POST: the 503 is relayed, not retried');
    assert.deepEqual(inflight(b.upstream), [0, 0]);
  });

  test('a 503 to a request whose body was streamed is relayed, not retried', async () => {
    const bad = await named('bad', 503);
    const good = await named('good');
    const b = await balanced([bad.port, good.port]);
    closers.push(bad.close, good.close, b.close);
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      // PUT is idempotent, but a chunked body streams straight through: it cannot be sent again.
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: b.port, method: 'PUT', path: '/', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end('payload');
        }),
      );
    }
    assert.deepEqual(statuses.sort(), [200, 503]);
  });

  test('passive checks eject a failing target: it gets no more traffic until re-admitted', async () => {
    const resetter = await startResetter();
    const ok = await named('ok');
    const b = await balanced([resetter.port, ok.port], {
      upstream: { outlier_detection: { base_ejection_time: 0.4, max_ejection_time: 300, max_ejection_percent: 50 }, healthchecks: passiveTcp(1) },
    });
    closers.push(resetter.close, ok.close, b.close);
    for (let i = 0; i < 10; i++) assert.equal((await send(b.port, { path: '/' })).status, 200);
    assert.equal(resetter.connections(), 1, 'ejected after its first failure');
    assert.equal(b.registry.isAvailable(b.upstream.name, `127.0.0.1:${resetter.port}`), false);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(b.registry.isAvailable(b.upstream.name, `127.0.0.1:${resetter.port}`), true, 're-admitted after base_ejection_time');
    for (let i = 0; i < 4; i++) assert.equal((await send(b.port, { path: '/' })).status, 200);
    assert.equal(resetter.connections(), 2, 'tried again once, ejected again');
  });
});

function passiveTcp(n: number): Record<string, unknown> {
  const base = JSON.parse(upstreamResource('x', 'x').body) as { healthchecks: { passive: { unhealthy: Record<string, unknown> } } };
  base.healthchecks.passive.unhealthy['tcp_failures'] = n;
  return base.healthchecks;
}

describe('circuit breakers', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  async function slowUpstream(): Promise<{ port: number; release(): void; waiting(): number; close(): Promise<void> }> {
    const held: (() => void)[] = [];
    const u = await startUpstream((_req, res) => held.push(() => res.end('done')));
    return { port: u.port, release: () => held.splice(0).forEach((f) => f()), waiting: () => held.length, close: u.close };
  }

  const until = async (fn: () => boolean): Promise<void> => {
    while (!fn()) await new Promise((r) => setTimeout(r, 5));
  };

  test('over max_connections a request waits; over max_pending_requests it gets 503 at once', async () => {
    const slow = await slowUpstream();
    const b = await balanced([slow.port], { upstream: { circuit_breakers: { max_connections: 1, max_pending_requests: 1, max_requests: 10 } } });
    closers.push(slow.close, b.close);
    const first = send(b.port, { path: '/' });
    await until(() => slow.waiting() === 1);
    const second = send(b.port, { path: '/' }); // pending
    const third = await send(b.port, { path: '/' });
    assert.equal(third.status, 503);
    assert.equal(json(third)['message'], 'upstream circuit breaker open: too many pending requests');
    assert.equal(third.headers['x-portico-overloaded'], 'true');
    assert.equal(slow.waiting(), 1, 'the pending request has not reached the upstream');
    slow.release();
    await until(() => slow.waiting() === 1);
    slow.release();
    assert.deepEqual([(await first).status, (await second).status], [200, 200]);
  });

  test('max_requests in flight: the next request gets 503 "too many requests in flight"; a finished one frees its slot', async () => {
    const slow = await slowUpstream();
    const b = await balanced([slow.port], { upstream: { circuit_breakers: { max_connections: 0, max_pending_requests: 0, max_requests: 2 } } });
    closers.push(slow.close, b.close);
    const held = [send(b.port, { path: '/' }), send(b.port, { path: '/' })];
    await until(() => slow.waiting() === 2);
    const over = await send(b.port, { path: '/' });
    assert.equal(over.status, 503);
    assert.equal(json(over)['message'], 'upstream circuit breaker open: too many requests in flight');
    slow.release();
    assert.deepEqual((await Promise.all(held)).map((r) => r.status), [200, 200]);
    const again = send(b.port, { path: '/' });
    await until(() => slow.waiting() === 1);
    slow.release();
    assert.equal((await again).status, 200);
    assert.deepEqual(inflight(b.upstream), [0]);
  });
});
