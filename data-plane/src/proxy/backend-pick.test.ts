import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { PickInput } from '../balancer/types.js';
import type { CompiledBackends, CompiledService } from '../compile/types.js';
import { BUCKETS, bucketOf, cookieBucket, layoutBuckets, pickBackend, type BackendWeight } from './backend-pick.js';

const STABLE = '11111111-1111-4111-8111-111111111111';
const CANARY = '22222222-2222-4222-8222-222222222222';
const THIRD = '33333333-3333-4333-8333-333333333333';
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

const share = (table: Uint8Array, index: number): number => table.reduce((n, v) => n + (v === index ? 1 : 0), 0) / BUCKETS;
const assign = (table: Uint8Array): Uint8Array => Uint8Array.from(KEYS, (k) => table[bucketOf(k)]!);

test('bucket shares follow the weights (90/10, 1/99, three-way) within sampling error of the layout', () => {
  const t = layoutBuckets([{ serviceId: STABLE, weight: 90 }, { serviceId: CANARY, weight: 10 }]);
  assert.equal(t.length, BUCKETS);
  assert.ok(Math.abs(share(t, 1) - 0.1) < 0.01, `canary share ${share(t, 1)}`);
  const low = layoutBuckets([{ serviceId: STABLE, weight: 99 }, { serviceId: CANARY, weight: 1 }]);
  assert.ok(Math.abs(share(low, 1) - 0.01) < 0.004, `1% canary share ${share(low, 1)}`);
  const three = layoutBuckets([{ serviceId: STABLE, weight: 500 }, { serviceId: CANARY, weight: 300 }, { serviceId: THIRD, weight: 200 }]);
  assert.ok(Math.abs(share(three, 0) - 0.5) < 0.015 && Math.abs(share(three, 1) - 0.3) < 0.015 && Math.abs(share(three, 2) - 0.2) < 0.015);
});

test('the layout is a pure function of (service ids, weights): weight 0 takes nothing, 100 % takes everything, scaling weights changes nothing', () => {
  const a = layoutBuckets([{ serviceId: STABLE, weight: 75 }, { serviceId: CANARY, weight: 25 }]);
  assert.deepEqual(a, layoutBuckets([{ serviceId: STABLE, weight: 75 }, { serviceId: CANARY, weight: 25 }]));
  assert.deepEqual(a, layoutBuckets([{ serviceId: STABLE, weight: 300 }, { serviceId: CANARY, weight: 100 }]));
  assert.equal(share(layoutBuckets([{ serviceId: STABLE, weight: 0 }, { serviceId: CANARY, weight: 5 }]), 1), 1);
  assert.equal(share(layoutBuckets([{ serviceId: STABLE, weight: 5 }, { serviceId: CANARY, weight: 0 }]), 1), 0);
  assert.throws(() => layoutBuckets([{ serviceId: STABLE, weight: 0 }]), /no backend has a weight/);
});

test('monotonic stickiness: over 10,000 keys a 1 → 5 → 25 → 100 canary progression only ever moves keys onto the canary', () => {
  let prev: Uint8Array | null = null;
  for (const canary of [1, 5, 25, 50, 99, 100]) {
    const now = assign(layoutBuckets([{ serviceId: STABLE, weight: 100 - canary }, { serviceId: CANARY, weight: canary }]));
    const onCanary = now.reduce((n, v) => n + v, 0);
    assert.ok(Math.abs(onCanary / KEYS.length - canary / 100) < 0.02, `${canary}%: ${onCanary} keys on canary`);
    if (prev !== null) {
      for (let i = 0; i < KEYS.length; i++) if (prev[i] === 1) assert.equal(now[i], 1, `${KEYS[i]} flipped back to stable at ${canary}%`);
    }
    prev = now;
  }
  assert.equal(prev!.reduce((n, v) => n + v, 0), KEYS.length);
});

test('three backends: raising one keeps its keys, and keys of a backend whose weight stayed move only onto the one that rose', () => {
  const before: BackendWeight[] = [{ serviceId: STABLE, weight: 600 }, { serviceId: CANARY, weight: 100 }, { serviceId: THIRD, weight: 300 }];
  const after: BackendWeight[] = [{ serviceId: STABLE, weight: 350 }, { serviceId: CANARY, weight: 350 }, { serviceId: THIRD, weight: 300 }];
  const a = assign(layoutBuckets(before));
  const b = assign(layoutBuckets(after));
  let moved = 0;
  for (let i = 0; i < KEYS.length; i++) {
    if (a[i] === 1) assert.equal(b[i], 1, 'a canary key left the canary');
    if (a[i] === 2 && b[i] !== 2) assert.equal(b[i], 1, 'a key of the unchanged backend moved elsewhere than to the canary');
    if (a[i] !== b[i]) moved++;
  }
  assert.ok(moved > 1500, `only ${moved} keys moved`);
});

const svc = (id: string): CompiledService => ({ id }) as CompiledService;
const split = (over: Partial<CompiledBackends>): CompiledBackends => ({
  services: [svc(STABLE), svc(CANARY)],
  table: layoutBuckets([{ serviceId: STABLE, weight: 90 }, { serviceId: CANARY, weight: 10 }]),
  hashOn: 'none',
  header: null,
  cookie: null,
  ...over,
});
/** The per-request PickInput the proxy builds (only the request fields a split reads are real). */
const pick = (headers: Record<string, string>, ip = '10.0.0.1', consumerId: string | null = null): PickInput => ({
  req: { headers, socket: { remoteAddress: ip } } as unknown as IncomingMessage,
  clientIp: ip,
  consumerId,
  setCookie: null,
  backendCookie: null,
});

test('random split (hash_on none): 20,000 picks land within 1 point of 90/10', () => {
  const s = split({});
  let canary = 0;
  for (let i = 0; i < 20_000; i++) if (pickBackend(s, pick({})).id === CANARY) canary++;
  assert.ok(Math.abs(canary / 20_000 - 0.1) < 0.01, `canary got ${canary}`);
});

test('sticky modes: header, ip and consumer keys always pick the same backend; a missing key falls back to random', () => {
  const byHeader = split({ hashOn: 'header', header: 'x-user' });
  const byIp = split({ hashOn: 'ip' });
  const byConsumer = split({ hashOn: 'consumer' });
  for (const k of KEYS.slice(0, 300)) {
    const first = pickBackend(byHeader, pick({ 'x-user': k }));
    for (let i = 0; i < 3; i++) assert.equal(pickBackend(byHeader, pick({ 'x-user': k })), first);
    assert.equal(pickBackend(byIp, pick({}, k)), pickBackend(byIp, pick({}, k)));
    assert.equal(pickBackend(byConsumer, pick({}, undefined, k)), pickBackend(byConsumer, pick({}, undefined, k)));
  }
  const seen = new Set<string>();
  for (let i = 0; i < 400; i++) seen.add(pickBackend(byHeader, pick({})).id);
  assert.equal(seen.size, 2, 'without the header the pick is random');
});

test('cookie mode: the cookie value is the key; a client without it gets a random one set, and is sticky with it', () => {
  const s = split({ hashOn: 'cookie', cookie: 'canary' });
  assert.equal(cookieBucket('a=1; canary=abc; b=2', 'canary'), bucketOf('abc'));
  assert.equal(cookieBucket('canary=abc', 'canary'), bucketOf('abc'));
  assert.equal(cookieBucket('xcanary=abc; canaryx=1', 'canary'), -1);
  assert.equal(cookieBucket(undefined, 'canary'), -1);
  for (let i = 0; i < 50; i++) {
    const input = pick({});
    const first = pickBackend(s, input);
    const m = /^canary=([^;]+); Path=\/; HttpOnly$/.exec(input.backendCookie ?? '');
    assert.ok(m, String(input.backendCookie));
    const again = pick({ cookie: `canary=${m[1]!}` });
    assert.equal(pickBackend(s, again), first);
    assert.equal(again.backendCookie, null, 'no cookie is set when the client has one');
  }
});
