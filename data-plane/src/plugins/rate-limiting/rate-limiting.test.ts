// rate-limiting (local) through the real proxy with a real upstream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consumer, keyAuthCredential, plugin, route, service, startCompiledProxy, uuid, type CompiledProxy } from '../../compile/test-fixtures.js';
import { json, send, startUpstream, type Upstream } from '../../proxy/test-support.js';
import { PluginRuntime } from '../runtime.js';

// A clock that stands still 30 s into a minute: no window rolls over mid-test.
const NOW = Date.UTC(2030, 5, 1, 12, 0, 30);

describe('rate-limiting (local policy)', () => {
  let up: Upstream;
  let px: CompiledProxy;
  const SVC = uuid();
  const RT = uuid();
  const HID = uuid();
  const AUTH = uuid();
  const PLUGIN = uuid();
  const ALICE = uuid();
  const BOB = uuid();
  let base: ReturnType<typeof build>;

  const build = () => [
    service(SVC, { port: up.port }),
    route(RT, SVC, { paths: ['/limited'] }),
    route(HID, SVC, { paths: ['/hidden'] }),
    route(AUTH, SVC, { paths: ['/auth'] }),
    consumer(ALICE, { username: 'alice' }),
    consumer(BOB, { username: 'bob' }),
    keyAuthCredential(uuid(), ALICE, 'alice-key'),
    keyAuthCredential(uuid(), BOB, 'bob-key'),
    plugin(PLUGIN, 'rate-limiting', { minute: 3, hour: 100 }, { route: RT }),
    plugin(uuid(), 'rate-limiting', { minute: 1, hide_client_headers: true }, { route: HID }),
    plugin(uuid(), 'key-auth', {}, { route: AUTH }),
    // Route-level limit for everyone, a tighter consumer-scoped one for bob (route+consumer beats route).
    plugin(uuid(), 'rate-limiting', { minute: 5 }, { route: AUTH }),
    plugin(uuid(), 'rate-limiting', { minute: 1 }, { route: AUTH, consumer: BOB }),
  ];

  before(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    base = build();
    px = await startCompiledProxy(base, new PluginRuntime({ now: () => NOW }));
  });
  after(async () => {
    await px.close();
    await up.close();
  });

  it('allows `limit` requests per window with Kong headers, then answers 429 with Retry-After', async () => {
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await send(px.port, { path: '/limited' });
      assert.equal(r.status, 200);
      seen.push(r.headers['x-ratelimit-remaining-minute'] as string);
      assert.equal(r.headers['x-ratelimit-limit-minute'], '3');
      assert.equal(r.headers['x-ratelimit-limit-hour'], '100');
      assert.equal(r.headers['ratelimit-limit'], '3', 'RateLimit-* describe the tightest period');
    }
    assert.deepEqual(seen, ['2', '1', '0']);
    const r = await send(px.port, { path: '/limited' });
    assert.equal(r.status, 429);
    assert.equal(json(r)['message'], 'API rate limit exceeded');
    assert.equal(r.headers['ratelimit-remaining'], '0');
    assert.equal(r.headers['ratelimit-reset'], '30', 'seconds to the end of the minute');
    assert.equal(r.headers['retry-after'], '30');
    assert.equal(r.headers['x-ratelimit-remaining-hour'], '97');
  });

  it('counters survive a config swap that leaves the plugin in place', async () => {
    px.apply([...base, route(uuid(), SVC, { paths: ['/unrelated'] })]);
    assert.equal((await send(px.port, { path: '/limited' })).status, 429);
  });

  it('hide_client_headers sends no rate-limit headers, not even on the 429', async () => {
    const ok = await send(px.port, { path: '/hidden' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['ratelimit-limit'], undefined);
    assert.equal(ok.headers['x-ratelimit-limit-minute'], undefined);
    const no = await send(px.port, { path: '/hidden' });
    assert.equal(no.status, 429);
    assert.equal(no.headers['retry-after'], undefined);
  });

  it('limits by consumer after authentication, and a consumer-scoped instance overrides the route one', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await send(px.port, { path: '/auth', headers: { apikey: 'alice-key' } })).status, 200, `alice #${i + 1}`);
    assert.equal((await send(px.port, { path: '/auth', headers: { apikey: 'alice-key' } })).status, 429);
    const b1 = await send(px.port, { path: '/auth', headers: { apikey: 'bob-key' } });
    assert.equal(b1.status, 200, 'bob counts separately');
    assert.equal(b1.headers['x-ratelimit-limit-minute'], '1', "bob's consumer-scoped instance applies");
    assert.equal((await send(px.port, { path: '/auth', headers: { apikey: 'bob-key' } })).status, 429);
  });

  it('a changed config keeps the plugin id, and its counters with it; removing the plugin frees them', async () => {
    const changed = base.map((r) => (r.id === PLUGIN ? plugin(PLUGIN, 'rate-limiting', { minute: 4, hour: 100 }, { route: RT }) : r));
    px.apply(changed);
    const r = await send(px.port, { path: '/limited' });
    assert.equal(r.status, 200, 'one more allowed under the raised limit');
    assert.equal(r.headers['x-ratelimit-remaining-minute'], '0');
    px.apply(changed.filter((x) => x.id !== PLUGIN));
    px.apply(changed);
    assert.equal((await send(px.port, { path: '/limited' })).status, 200, 'counters were dropped with the plugin');
  });
});
