// Canary releases through the admin API on real processes: a weighted split,
// sticky keys that never flip back while the canary's weight rises, canary by
// header (Kong's header matching), and mirroring that the client never sees.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { startUpstream, type Reply, type Upstream, writeLive } from '../lib/http.js';

describe('canary: split, stickiness, header, mirror', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let stable: Upstream;
  let canary: Upstream;
  let shadow: Upstream;
  let agent: Agent;

  const write = (method: string, path: string, body: unknown): Promise<Reply> => writeLive(cp.admin, [dp.status], method, path, body);

  /** Which upstream answered `path`, with optional request headers. */
  async function who(path: string, headers: Record<string, string> = {}): Promise<string> {
    const res = await request(`${dp.proxy}${path}`, { dispatcher: agent, headers });
    const text = await res.body.text();
    assert.equal(res.statusCode, 200, text);
    return (JSON.parse(text) as { upstream: string }).upstream;
  }

  const split = (canaryWeight: number) => ({
    backends: [{ service: { name: 'orders-v1' }, weight: 100 - canaryWeight }, { service: { name: 'orders-v2' }, weight: canaryWeight }],
  });

  before(async () => {
    [stable, canary, shadow] = await Promise.all([startUpstream('v1'), startUpstream('v2'), startUpstream('shadow', { delayMs: 1500 })]);
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'canary-1' });
    agent = new Agent({ connections: 8, keepAliveTimeout: 10_000 });
    await write('PUT', '/services/orders-v1', { url: stable.url });
    await write('PUT', '/services/orders-v2', { url: canary.url });
    await write('PUT', '/services/orders-shadow', { url: shadow.url });
  });

  after(async () => {
    await agent.close();
    await dp.proc.stop();
    await cp.proc.stop();
    await Promise.all([stable, canary, shadow].map((u) => u.close()));
  });

  test('a 90/10 split over 2,000 requests lands within ±2.5 points', async () => {
    await write('PUT', '/routes/split', { paths: ['/split'], ...split(10) });
    const counts: Record<string, number> = { v1: 0, v2: 0 };
    for (let batch = 0; batch < 100; batch++) {
      const got = await Promise.all(Array.from({ length: 20 }, () => who('/split')));
      for (const g of got) counts[g]!++;
    }
    const share = counts['v2']! / 2000;
    assert.ok(Math.abs(share - 0.1) <= 0.025, `canary share ${share} (${JSON.stringify(counts)})`);
  });

  test('sticky by header: 500 users never flip back to stable as the canary goes 1 → 5 → 25 → 100 (weights PATCHed live)', async () => {
    await write('PUT', '/routes/sticky', { paths: ['/sticky'], backend_hash_on: 'header', backend_hash_on_header: 'X-User', ...split(1) });
    const users = Array.from({ length: 500 }, (_, i) => `user-${i}`);
    let onCanary = new Set<string>();
    for (const weight of [1, 5, 25, 100]) {
      if (weight !== 1) await write('PATCH', '/routes/sticky', split(weight));
      const now = new Set<string>();
      for (let i = 0; i < users.length; i += 25) {
        const batch = users.slice(i, i + 25);
        const got = await Promise.all(batch.map((u) => who('/sticky', { 'x-user': u })));
        got.forEach((g, j) => g === 'v2' && now.add(batch[j]!));
      }
      for (const u of onCanary) assert.ok(now.has(u), `${u} flipped back to stable at ${weight}%`);
      // Same key, same answer while the weights stay.
      for (const u of users.slice(0, 20)) assert.equal(await who('/sticky', { 'x-user': u }), now.has(u) ? 'v2' : 'v1');
      onCanary = now;
    }
    assert.equal(onCanary.size, users.length, 'at 100% every user is on the canary');
  });

  test('canary by header: a route with headers x-canary: true beats the same path without it and points at the canary', async () => {
    await write('PUT', '/routes/stable-only', { paths: ['/checkout'], service: { name: 'orders-v1' } });
    await write('PUT', '/routes/canary-by-header', { paths: ['/checkout'], headers: { 'x-canary': ['true'] }, service: { name: 'orders-v2' } });
    for (let i = 0; i < 10; i++) {
      assert.equal(await who('/checkout'), 'v1');
      assert.equal(await who('/checkout', { 'x-canary': 'true' }), 'v2');
      assert.equal(await who('/checkout', { 'x-canary': 'false' }), 'v1');
    }
  });

  test('mirror: the shadow receives copies; the client sees only the primary, even with the shadow slow, then down', async () => {
    await write('PUT', '/routes/mirrored', { paths: ['/mirrored'], service: { name: 'orders-v1' }, mirror: { service: { name: 'orders-shadow' }, percentage: 100 } });
    const before = shadow.hits;
    const started = Date.now();
    for (let i = 0; i < 20; i++) assert.equal(await who('/mirrored'), 'v1');
    // The shadow answers after 1.5 s; 20 sequential requests did not wait for it.
    assert.ok(Date.now() - started < 1500, `20 mirrored requests took ${Date.now() - started} ms`);
    const deadline = Date.now() + 5000;
    while (shadow.hits - before < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(shadow.hits - before, 20, 'every request was copied to the shadow');

    await shadow.close();
    for (let i = 0; i < 20; i++) assert.equal(await who('/mirrored'), 'v1');
  });
});
