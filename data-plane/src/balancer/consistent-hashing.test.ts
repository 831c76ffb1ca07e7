import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamSchema, type Upstream } from '@portico/shared';
import { balancerContract } from './balancer.contract.js';
import { consistentHashing } from './consistent-hashing.js';
import { compileHashKey } from './hash-key.js';
import { addressOf, addresses, context, healthDown, request, target } from './test-addresses.js';
import type { BalancerFactory, PickInput, TargetAddress } from './types.js';

const upstream = (over: Partial<Upstream>): Upstream =>
  ({
    id: '00000000-0000-4000-8000-000000000001', created_at: 1, updated_at: 1, name: 'u', algorithm: 'consistent-hashing',
    hash_on: 'none', hash_fallback: 'none', hash_on_header: null, hash_fallback_header: null, hash_on_cookie: null,
    hash_on_cookie_path: '/', hash_on_query_arg: null, hash_fallback_query_arg: null, hash_on_uri_capture: null,
    hash_fallback_uri_capture: null, slots: 10000, healthchecks: {} as Upstream['healthchecks'], tags: null, host_header: null,
    client_certificate: null, use_srv_name: false, ...over,
  }) as Upstream;
void UpstreamSchema;

const factory = (over: Partial<Upstream> = {}): BalancerFactory => {
  const u = upstream(over);
  return consistentHashing({ slots: u.slots, key: compileHashKey(u) });
};

balancerContract('consistent-hashing (no key: random point)', factory());
balancerContract('consistent-hashing on a header', factory({ hash_on: 'header', hash_on_header: 'x-absent' }));

const byHeader = factory({ hash_on: 'header', hash_on_header: 'X-User' });
const user = (k: number): PickInput => request('/', { 'x-user': `user-${k}` });
const KEYS = 10_000;

function owners(list: readonly TargetAddress[]): string[] {
  const b = byHeader(list, context());
  return Array.from({ length: KEYS }, (_, k) => b.pick(user(k))!.address);
}

describe('consistent-hashing ring', () => {
  it('the same key always lands on the same address', () => {
    const b = byHeader(addresses(100, 100, 100), context());
    const first = b.pick(user(7));
    for (let i = 0; i < 20; i++) assert.equal(b.pick(user(7)), first);
  });

  it('adding a 5th target to 4 moves between 10% and 30% of 10,000 keys, all of them to the new one', () => {
    const four = addresses(100, 100, 100, 100);
    const five = [...four, addressOf(target(4, 100))];
    const before = owners(four);
    const after = owners(five);
    let moved = 0;
    for (let k = 0; k < KEYS; k++) {
      if (before[k] === after[k]) continue;
      moved++;
      assert.equal(after[k], five[4]!.address);
    }
    assert.ok(moved / KEYS > 0.1 && moved / KEYS < 0.3, `moved ${moved / KEYS}`);
  });

  it("removing a target moves only that target's keys", () => {
    const four = addresses(100, 100, 100, 100);
    const before = owners(four);
    const after = owners(four.filter((_, i) => i !== 2));
    for (let k = 0; k < KEYS; k++) if (before[k] !== four[2]!.address) assert.equal(after[k], before[k]);
  });

  it("an unavailable address's keys walk on to the next one; every other key stays", () => {
    const list = addresses(100, 100, 100);
    const down = new Set<string>();
    const b = byHeader(list, context({ health: healthDown(down) }));
    const before = Array.from({ length: 1000 }, (_, k) => b.pick(user(k))!.address);
    down.add(list[0]!.address);
    for (let k = 0; k < 1000; k++) {
      const now = b.pick(user(k))!.address;
      if (before[k] === list[0]!.address) assert.notEqual(now, list[0]!.address);
      else assert.equal(now, before[k]);
    }
  });

  it('keys spread by weight: 1:3 gives the heavy target 65–85% of keys', () => {
    const list = addresses(100, 300);
    const heavy = owners(list).filter((a) => a === list[1]!.address).length;
    assert.ok(heavy / KEYS > 0.65 && heavy / KEYS < 0.85, `heavy ${heavy / KEYS}`);
  });
});

describe('consistent-hashing inputs (hash_on, hash_fallback)', () => {
  const list = addresses(100, 100, 100, 100, 100);

  it('cookie: absent → a generated value is hashed and returned as Kong\'s Set-Cookie; present → honoured', () => {
    const b = factory({ hash_on: 'cookie', hash_on_cookie: 'sticky', hash_on_cookie_path: '/app' })(list, context());
    const first = request('/', { cookie: 'other=1' });
    const picked = b.pick(first)!;
    const set = first.setCookie!;
    assert.match(set, /^sticky=[0-9a-f-]{36}; Path=\/app; Same-Site=Lax; HttpOnly$/);
    const value = set.slice('sticky='.length, set.indexOf(';'));
    for (let i = 0; i < 10; i++) {
      const next = request('/', { cookie: `a=b; sticky=${value}; c=d` });
      assert.equal(b.pick(next), picked);
      assert.equal(next.setCookie, null, 'no Set-Cookie when the request carries it');
    }
    // A retry with the same input keeps the generated value (and so the address).
    assert.equal(b.pick(first), picked);
    assert.equal(first.setCookie, set);
  });

  it('falls back to hash_fallback when the primary input is absent', () => {
    const b = factory({ hash_on: 'header', hash_on_header: 'x-tenant', hash_fallback: 'ip' })(list, context());
    const viaIp = (ip: string): TargetAddress => b.pick(request('/', {}, { clientIp: ip }))!;
    const spread = new Set(Array.from({ length: 50 }, (_, i) => viaIp(`10.0.0.${i}`)));
    assert.ok(spread.size > 1, 'different IPs spread');
    for (let i = 0; i < 10; i++) assert.equal(viaIp('10.0.0.9'), viaIp('10.0.0.9'));
    const tenant = b.pick(request('/', { 'x-tenant': 'acme' }, { clientIp: '10.0.0.1' }));
    for (let i = 0; i < 20; i++) assert.equal(b.pick(request('/', { 'x-tenant': 'acme' }, { clientIp: `10.0.1.${i}` })), tenant);
  });

  it('query_arg: order of repeated values does not matter; other args do not either', () => {
    const b = factory({ hash_on: 'query_arg', hash_on_query_arg: 'id' })(list, context());
    const p = b.pick(request('/x?id=1&id=2&z=9'));
    assert.equal(b.pick(request('/y?a=0&id=2&id=1')), p);
  });

  it('path hashes the path without the query; consumer and uri_capture hash what the proxy passed', () => {
    const byPath = factory({ hash_on: 'path' })(list, context());
    assert.equal(byPath.pick(request('/a/b?x=1')), byPath.pick(request('/a/b?y=2')));
    const byConsumer = factory({ hash_on: 'consumer', hash_fallback: 'path' })(list, context());
    const c = byConsumer.pick(request('/1', {}, { consumerId: 'c-1' }));
    for (let i = 0; i < 10; i++) assert.equal(byConsumer.pick(request(`/${i}`, {}, { consumerId: 'c-1' })), c);
    const byCapture = factory({ hash_on: 'uri_capture', hash_on_uri_capture: 'tenant' })(list, context());
    const t = byCapture.pick(request('/t/acme/1', {}, { uriCaptures: { tenant: 'acme' } }));
    assert.equal(byCapture.pick(request('/t/acme/2', {}, { uriCaptures: { tenant: 'acme' } })), t);
  });
});
