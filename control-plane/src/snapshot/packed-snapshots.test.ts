import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { configHash, type Resource } from '@portico/shared';
import { unpackResources } from '@portico/proto';
import { Store } from '../store/index.js';
import { PackedSnapshots, resourceBytes } from './packed-snapshots.js';
import { createStoreSnapshotSource } from './store-snapshot-source.js';

const service = (name: string) => ({ id: randomUUID(), name, host: `${name}.example.com`, port: 80, tags: null });

function seeded(n: number) {
  const store = Store.open(':memory:');
  const source = createStoreSnapshotSource(store);
  store.write('seed', (tx) => {
    for (let i = 0; i < n; i++) tx.insert('services', service(`s${i}`));
  });
  return { store, source, close: () => (source.close(), store.close()) };
}

const unpack = async (p: Awaited<ReturnType<PackedSnapshots['get']>>): Promise<Resource[]> => [...(await unpackResources(p, 1 << 30))] as Resource[];

test('packed snapshots: a packed full snapshot decodes to exactly its resources, in order, with the same hash', async () => {
  const { source, close } = seeded(300);
  try {
    const snap = source.full();
    const packed = await new PackedSnapshots().get({ ...snap, full: true, baseVersion: 0 }, 'BROTLI');
    const back = await unpack(packed);
    assert.deepEqual(back, snap.resources);
    assert.equal(configHash(back), snap.hash);
    assert.equal(packed.count, 300);
    assert.ok(packed.data.length * 3 < resourceBytes(snap.resources), 'compressed well below the listed size');
  } finally {
    close();
  }
});

test('packed snapshots: 100 asks for one version share one pack and the identical Buffer; a new version packs anew', async () => {
  const { store, source, close } = seeded(50);
  try {
    const packs = new PackedSnapshots();
    const subject = () => ({ ...source.full(), full: true, baseVersion: 0 });
    const all = await Promise.all(Array.from({ length: 100 }, () => packs.get(subject(), 'BROTLI')));
    assert.equal(packs.packs, 1);
    assert.ok(all.every((p) => p.data === all[0]!.data), 'the same Buffer object for every stream');
    assert.equal(source.full(), source.full(), 'the source hands out one snapshot per version');
    store.write('more', (tx) => tx.insert('services', service('late')));
    const next = await packs.get(subject(), 'BROTLI');
    assert.equal(packs.packs, 2);
    assert.notEqual(next.data, all[0]!.data);
    assert.equal((await unpack(next)).length, 51);
    await packs.get(subject(), 'GZIP');
    assert.equal(packs.packs, 3, 'each compression is its own payload');
  } finally {
    close();
  }
});

test('packed snapshots: a delta is keyed by base and version, and nodes on one base share its pack', async () => {
  const { store, source, close } = seeded(10);
  try {
    const base = source.current();
    store.write('burst', (tx) => {
      for (let i = 0; i < 40; i++) tx.insert('services', service(`n${i}`));
    });
    const d1 = source.deltaSince(base.version, base.hash)!;
    const d2 = source.deltaSince(base.version, base.hash)!;
    assert.equal(d1, d2, 'the source hands out one delta per base and version');
    assert.ok(d1.updated.every((r) => source.full().resources.includes(r)), "a delta's resources are the source's own objects");
    const packs = new PackedSnapshots();
    const [a, b] = await Promise.all([packs.get({ ...d1, full: false, resources: d1.updated }, 'BROTLI'), packs.get({ ...d2, full: false, resources: d2.updated }, 'BROTLI')]);
    assert.equal(a.data, b.data);
    assert.deepEqual(await unpack(a), d1.updated);
    assert.equal(packs.packs, 1);
  } finally {
    close();
  }
});

test('packed snapshots: only the newest few payloads are kept', async () => {
  const packs = new PackedSnapshots({ keep: 2 });
  const subject = (version: number) => ({ full: true, baseVersion: 0, version, hash: `h${version}`, resources: [{ type: 'services' as const, id: `s${version}`, body: '{}' }] });
  const first = await packs.get(subject(1), 'BROTLI');
  await packs.get(subject(2), 'BROTLI');
  assert.equal(await packs.get(subject(1), 'BROTLI'), first, 'still kept, and now the most recently used');
  await packs.get(subject(3), 'BROTLI'); // evicts 2, the least recently used
  await packs.get(subject(1), 'BROTLI');
  assert.equal(packs.packs, 3);
  await packs.get(subject(2), 'BROTLI');
  assert.equal(packs.packs, 4);
});
