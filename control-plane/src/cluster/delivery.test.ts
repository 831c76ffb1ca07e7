// Large pushes end to end over real gRPC: packed once and shared, listed for
// older nodes, and sent within the fan-out budget without holding up deltas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { configHash, type Resource } from '@portico/shared';
import { unpackResources, type ConfigPush } from '@portico/proto';
import { Store } from '../store/index.js';
import { PackedSnapshots, createStoreSnapshotSource } from '../snapshot/index.js';
import { FanOutLimiter } from './fan-out.js';
import { startClusterServer, type ClusterServer } from './server.js';
import { TestNode, eventually } from './test-node.js';

const TOKEN = 'test-cluster-token-0123456789';
const PACKED = ['BROTLI', 'GZIP'];
const service = (name: string) => ({ id: randomUUID(), name, host: `${name}.example.com`, port: 80, tags: null });

interface Rig {
  store: Store;
  server: ClusterServer;
  packs: PackedSnapshots;
  fanOut: FanOutLimiter;
  node(): TestNode;
}

/** Pushes whose resources reach 2 KB are large here (64 KiB by default), so a few dozen services make one. */
const withRig = (fn: (rig: Rig) => Promise<void>, maxBytes = 8 * 1024 * 1024) => async () => {
  const store = Store.open(':memory:');
  const source = createStoreSnapshotSource(store);
  const packs = new PackedSnapshots();
  const fanOut = new FanOutLimiter({ maxBytes, holdMs: 60_000 });
  const server = await startClusterServer({ listen: '127.0.0.1:0', token: TOKEN, source, delivery: { largeBytes: 2000, packs, fanOut } });
  const nodes: TestNode[] = [];
  try {
    await fn({ store, server, packs, fanOut, node: () => (nodes.push(new TestNode(server.port, TOKEN)), nodes.at(-1)!) });
  } finally {
    for (const n of nodes) n.close();
    await server.close();
    source.close();
    store.close();
  }
};

const seed = (store: Store, n: number, prefix = 's') =>
  store.write('seed', (tx) => {
    for (let i = 0; i < n; i++) tx.insert('services', service(`${prefix}${i}`));
  });

const unpacked = async (p: ConfigPush): Promise<Resource[]> => [...(await unpackResources(p.packed!, 1 << 30))] as Resource[];
const byId = (rs: Resource[]) => [...rs].sort((a, b) => a.id.localeCompare(b.id));

test('delivery: 100 nodes get one packed full snapshot, packed once, that decodes to exactly the store', withRig(async ({ store, packs, node }) => {
  seed(store, 60);
  const nodes = Array.from({ length: 100 }, (_, i) => {
    const n = node();
    n.hello(`dp-${i}`, 0, '', PACKED);
    return n;
  });
  const pushes = await Promise.all(nodes.map((n) => n.push(0, 10_000)));
  assert.equal(packs.packs, 1, 'one encoding for the whole fan-out');
  for (const p of pushes) {
    assert.deepEqual({ full: p.full, listed: p.resources.length, compression: p.packed?.compression }, { full: true, listed: 0, compression: 'BROTLI' });
    assert.ok(p.packed!.data.equals(pushes[0]!.packed!.data));
  }
  const resources = await unpacked(pushes[0]!);
  assert.deepEqual(byId(resources), byId(store.allResources()));
  assert.equal(configHash(resources), pushes[0]!.hash);
}));

test('delivery: a node built before packing gets the same large snapshot listed', withRig(async ({ store, packs, node }) => {
  seed(store, 60);
  const n = node();
  n.hello('old-dp');
  const p = await n.push(0);
  assert.equal(p.packed, null);
  assert.equal(p.resources.length, 60);
  assert.equal(packs.packs, 0);
}));

test('delivery: small deltas pass while large fulls wait for the fan-out budget', withRig(async ({ store, fanOut, node }) => {
  seed(store, 60);
  const a = node();
  a.hello('dp-a', 0, '', PACKED);
  a.ack(await a.push(0));
  await eventually(() => fanOut.bytesInFlight === 0, 3000, "a's full written and its budget given back");
  // Another stream's snapshot is in flight and holds the whole budget.
  let release: () => void = () => undefined;
  fanOut.acquire(1, (done) => (release = done));
  const b = node();
  b.hello('dp-b', 0, '', PACKED);
  await eventually(() => fanOut.waiting === 1, 3000, "b's full queued");
  store.write('one more', (tx) => tx.insert('services', service('late')));
  const delta = await a.push(1);
  assert.deepEqual({ full: delta.full, packed: delta.packed, listed: delta.resources.length, version: delta.version }, { full: false, packed: null, listed: 1, version: 2 });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(b.pushes.length, 0, 'b still waits');
  release();
  const full = await b.push(0);
  assert.equal(full.full, true);
  assert.equal((await unpacked(full)).length, 60);
  // Whatever was committed while it waited follows as a delta.
  const after = await b.push(1);
  assert.deepEqual({ full: after.full, base: after.base_version, version: after.version }, { full: false, base: full.version, version: 2 });
}, 1));

test('delivery: a large delta is packed once for every node on the same base', withRig(async ({ store, packs, node }) => {
  seed(store, 2);
  const nodes = ['dp-1', 'dp-2', 'dp-3'].map((id) => {
    const n = node();
    n.hello(id, 0, '', PACKED);
    return n;
  });
  for (const n of nodes) n.ack(await n.push(0));
  seed(store, 60, 'big');
  const deltas = await Promise.all(nodes.map((n) => n.push(1)));
  assert.equal(packs.packs, 1);
  for (const d of deltas) {
    assert.deepEqual({ full: d.full, base: d.base_version, listed: d.resources.length }, { full: false, base: 1, listed: 0 });
    assert.equal((await unpacked(d)).length, 60);
  }
}));

test('delivery: a delta that removes many resources is large too: budgeted, its removals listed', withRig(async ({ store, fanOut, node }) => {
  seed(store, 60);
  const a = node();
  a.hello('dp-a', 0, '', PACKED);
  a.ack(await a.push(0));
  await eventually(() => fanOut.bytesInFlight === 0, 3000, "a's full written");
  let release: () => void = () => undefined;
  fanOut.acquire(1, (done) => (release = done));
  const ids = store.allResources().map((r) => r.id);
  store.write('delete all', (tx) => {
    for (const id of ids) tx.remove('services', id);
  });
  await eventually(() => fanOut.waiting === 1, 3000, 'the removal queued');
  assert.equal(a.pushes.length, 1);
  release();
  const d = await a.push(1);
  assert.deepEqual({ full: d.full, packed: d.packed, removed: d.removed.length }, { full: false, packed: null, removed: 60 });
}, 1));
