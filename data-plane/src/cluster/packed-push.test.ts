import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configHash, type Resource } from '@portico/shared';
import { packResources, type PackedResources } from '@portico/proto';
import { startClusterClient, type AppliedSnapshot, type ClusterClient } from './client.js';
import { loadCache } from './disk-cache.js';
import { ScriptedControlPlane, eventually, svc } from './test-control-plane.js';

const TOKEN = 'dp-packed-token-abcdef';

/** A control plane on an ephemeral port, one client following it, both closed afterwards. */
const withClient = (fn: (cp: ScriptedControlPlane, c: ClusterClient, applied: AppliedSnapshot[], dir: string) => Promise<void>) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-dp-packed-'));
  const cp = await new ScriptedControlPlane(TOKEN).start();
  const applied: AppliedSnapshot[] = [];
  const c = startClusterClient({
    address: `127.0.0.1:${cp.port}`,
    token: TOKEN,
    node: { id: 'dp-p', hostname: 'dp-p.local', software_version: '0.1.0-test', labels: {} },
    cacheDir: dir,
    backoff: { initialMs: 10, maxMs: 50 },
    apply: (snap) => {
      applied.push(snap);
    },
  });
  try {
    await eventually(() => cp.of('hello').length === 1, 3000, 'hello');
    await fn(cp, c, applied, dir);
  } finally {
    await c.close();
    await cp.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const pushPacked = (cp: ScriptedControlPlane, version: number, resources: Resource[], packed: PackedResources, hash = configHash(resources)) =>
  cp.push({ version, hash, full: true, base_version: 0, resources: [], removed: [], packed });

const many = (n: number, port = 80) => Array.from({ length: n }, (_, i) => svc(`s${i}`, port));

test('packed push: hello names the compressions the node reads; a packed full is applied, ACKed and cached', withClient(async (cp, c, applied, dir) => {
  assert.deepEqual(cp.of('hello')[0]!.hello.accept_packed, ['BROTLI', 'GZIP']);
  const resources = many(500);
  const p = pushPacked(cp, 4, resources, await packResources(resources, 'BROTLI'));
  await eventually(() => cp.of('ack').length === 1, 3000, 'ACK');
  assert.equal(cp.of('ack')[0]!.ack.nonce, p.nonce);
  assert.deepEqual([...applied[0]!.resources], resources, 'exactly the packed resources, in order');
  assert.deepEqual({ v: c.state().version, h: c.state().hash }, { v: 4, h: configHash(resources) });
  await c.close(); // waits for the cache write
  const cached = loadCache(dir);
  assert.ok(cached.ok);
  assert.deepEqual({ v: cached.set.version, h: cached.set.hash }, { v: 4, h: configHash(resources) });
}));

test('packed push: a packed delta applies on the current version; removals travel plain', withClient(async (cp, c, applied) => {
  cp.pushFull(1, [svc('a'), svc('b')]);
  await eventually(() => cp.of('ack').length === 1);
  const updated = [svc('a', 8080), ...many(50)];
  const next = [svc('a', 8080), ...many(50)];
  cp.push({ version: 2, hash: configHash(next), full: false, base_version: 1, resources: [], removed: [{ type: 'services', id: 'b' }], packed: await packResources(updated, 'GZIP') });
  await eventually(() => cp.of('ack').length === 2, 3000, 'ACK of the delta');
  assert.equal(c.state().version, 2);
  assert.equal([...applied.at(-1)!.resources].length, 51);
}));

test('packed push: a corrupted compressed payload is NACKed and the old config keeps serving', withClient(async (cp, c, applied) => {
  cp.pushFull(1, [svc('a')]);
  await eventually(() => cp.of('ack').length === 1);
  const resources = many(300);
  const good = await packResources(resources, 'BROTLI');
  const data = Buffer.from(good.data);
  data[Math.floor(data.length / 2)]! ^= 0xff;
  const bad = pushPacked(cp, 2, resources, { ...good, data });
  await eventually(() => cp.of('nack').length === 1, 3000, 'NACK');
  const nack = cp.of('nack')[0]!.nack;
  assert.deepEqual({ v: nack.version, n: nack.nonce, serving: nack.serving_version }, { v: 2, n: bad.nonce, serving: 1 });
  assert.deepEqual({ v: c.state().version, h: c.state().hash, applied: applied.length }, { v: 1, h: configHash([svc('a')]), applied: 1 });
  assert.match(c.state().lastError ?? '', /config 2 rejected/);
  // The same push intact is taken.
  pushPacked(cp, 2, resources, good);
  await eventually(() => c.state().version === 2, 3000, 'intact push applied');
}));

test('packed push: content that is not what its hash, count or size says is NACKed, never applied', withClient(async (cp, c, applied) => {
  cp.pushFull(1, [svc('a')]);
  await eventually(() => cp.of('ack').length === 1);
  const resources = many(100);
  const p = await packResources(resources, 'BROTLI');
  pushPacked(cp, 2, resources, p, configHash(many(100, 81)));
  pushPacked(cp, 3, resources, { ...p, count: p.count + 1 });
  pushPacked(cp, 4, resources, { ...p, raw_size: p.raw_size + 1 });
  pushPacked(cp, 5, resources, { ...p, raw_size: 2 ** 40 });
  await eventually(() => cp.of('nack').length === 4, 3000, 'four NACKs');
  const errors = cp.of('nack').map((n) => n.nack.error);
  assert.match(errors[0]!, /does not match its hash/);
  assert.match(errors[1]!, /decoded/);
  assert.match(errors[3]!, /outside/);
  assert.deepEqual({ v: c.state().version, applied: applied.length }, { v: 1, applied: 1 });
}));
