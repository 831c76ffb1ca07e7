// The behaviour every SnapshotSource must have, written once and run by each
// implementation's test with its own factory (hono's router `common.case`).
// The harness hands back the store the source follows, so the contract drives
// changes the way the admin API does: through Store.write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { configHash, resourceKey, type Delta, type Resource } from '@portico/shared';
import type { Store } from '../store/index.js';
import type { SnapshotSource } from './snapshot-source.js';

export interface SnapshotSourceHarness {
  store: Store;
  source: SnapshotSource;
  close(): void;
}

const service = (name: string) => ({ id: randomUUID(), name, host: `${name}.example.com`, port: 80, tags: null });
const route = (serviceId: string, name: string) => ({ id: randomUUID(), name, paths: [`/${name}`], service: { id: serviceId }, tags: null });

/** The config a node holds after applying `delta` on top of `base`. */
function applyDelta(base: readonly Resource[], delta: Delta): Resource[] {
  const map = new Map(base.map((r) => [resourceKey(r.type, r.id), r]));
  for (const r of delta.updated) map.set(resourceKey(r.type, r.id), r);
  for (const r of delta.removed) map.delete(resourceKey(r.type, r.id));
  return [...map.values()];
}

const sortById = (rs: readonly Resource[]) => [...rs].sort((a, b) => resourceKey(a.type, a.id).localeCompare(resourceKey(b.type, b.id)));

export function runSnapshotSourceContract(name: string, factory: () => SnapshotSourceHarness): void {
  const withHarness = (fn: (h: SnapshotSourceHarness) => void | Promise<void>) => async () => {
    const h = factory();
    try {
      await fn(h);
    } finally {
      h.close();
    }
  };

  test(`${name}: the full snapshot equals the store's content and its hash is configHash of it`, withHarness(({ store, source }) => {
    const s = service('a');
    store.write('create', (tx) => {
      tx.insert('services', s);
      tx.insert('routes', route(s.id, 'r1'));
    });
    store.write('create', (tx) => tx.insert('services', service('b')));
    const snap = source.full();
    assert.equal(snap.version, store.version());
    assert.deepEqual(sortById(snap.resources), sortById(store.allResources()));
    assert.equal(snap.hash, configHash(store.allResources()));
    assert.deepEqual(source.current(), { version: snap.version, hash: snap.hash });
  }));

  test(`${name}: services come before the routes that reference them in a full snapshot`, withHarness(({ store, source }) => {
    const s = service('a');
    store.write('create', (tx) => tx.insert('services', s));
    store.write('route', (tx) => tx.insert('routes', route(s.id, 'r')));
    store.write('touch', (tx) => tx.update('services', { ...s, port: 81 }));
    assert.deepEqual(source.full().resources.map((r) => r.type), ['services', 'routes']);
  }));

  test(`${name}: onChange fires once per commit with the new version`, withHarness(({ store, source }) => {
    const seen: number[] = [];
    const off = source.onChange((v) => seen.push(v));
    store.write('a', (tx) => tx.insert('services', service('a')));
    store.write('noop', () => undefined);
    store.write('b', (tx) => tx.insert('services', service('b')));
    off();
    store.write('c', (tx) => tx.insert('services', service('c')));
    assert.deepEqual(seen, [1, 2]);
  }));

  test(`${name}: deltas after creates, updates and deletes carry exactly those and reach the new hash`, withHarness(({ store, source }) => {
    const a = service('a');
    const b = service('b');
    const ra = route(a.id, 'ra');
    store.write('seed', (tx) => {
      tx.insert('services', a);
      tx.insert('services', b);
      tx.insert('routes', ra);
    });
    const base = source.full();

    const c = service('c');
    store.write('create c', (tx) => tx.insert('services', c));
    store.write('update b', (tx) => tx.update('services', { ...b, port: 8080 }));
    store.write('delete ra', (tx) => tx.remove('routes', ra.id));

    const delta = source.deltaSince(base.version, base.hash);
    assert.ok(delta, 'a recent version with its own hash gets a delta');
    assert.equal(delta.baseVersion, base.version);
    assert.equal(delta.version, store.version());
    assert.deepEqual(delta.updated.map((r) => r.id).sort(), [b.id, c.id].sort());
    assert.equal(JSON.parse(delta.updated.find((r) => r.id === b.id)!.body).port, 8080);
    assert.deepEqual(delta.removed, [{ type: 'routes', id: ra.id }]);
    const next = applyDelta(base.resources, delta);
    assert.equal(configHash(next), delta.hash);
    assert.equal(delta.hash, source.current().hash);
  }));

  test(`${name}: removing a service and its routes in one write removes them all in one delta`, withHarness(({ store, source }) => {
    const a = service('a');
    const r1 = route(a.id, 'r1');
    store.write('seed', (tx) => {
      tx.insert('services', a);
      tx.insert('routes', r1);
    });
    const base = source.full();
    store.write('delete a', (tx) => {
      tx.remove('routes', r1.id);
      tx.remove('services', a.id);
    });
    const delta = source.deltaSince(base.version, base.hash)!;
    assert.ok(delta);
    assert.deepEqual(delta.removed.map((r) => r.id).sort(), [a.id, r1.id].sort());
    assert.equal(configHash(applyDelta(base.resources, delta)), delta.hash);
    assert.equal(delta.hash, configHash([]));
  }));

  test(`${name}: a node already at the current version gets an empty delta`, withHarness(({ store, source }) => {
    store.write('seed', (tx) => tx.insert('services', service('a')));
    const { version, hash } = source.current();
    assert.deepEqual(source.deltaSince(version, hash), { baseVersion: version, version, hash, updated: [], removed: [] });
  }));

  test(`${name}: an unknown version, a foreign hash or a future version gets null (full snapshot)`, withHarness(({ store, source }) => {
    store.write('seed', (tx) => tx.insert('services', service('a')));
    const v1 = source.current();
    store.write('more', (tx) => tx.insert('services', service('b')));
    assert.equal(source.deltaSince(v1.version, 'f'.repeat(64)), null, 'right version, foreign hash');
    assert.equal(source.deltaSince(v1.version, ''), null, 'right version, no hash');
    assert.equal(source.deltaSince(0, ''), null, 'a node with nothing cached');
    assert.equal(source.deltaSince(999, v1.hash), null, 'a version from another control plane');
    assert.ok(source.deltaSince(v1.version, v1.hash), 'the real pair still works');
  }));

  test(`${name}: a delete and re-create between two versions arrives as an update, not a removal`, withHarness(({ store, source }) => {
    const a = service('a');
    store.write('seed', (tx) => tx.insert('services', a));
    const base = source.full();
    store.write('delete', (tx) => tx.remove('services', a.id));
    store.write('recreate', (tx) => tx.insert('services', { ...a, port: 9 }));
    const delta = source.deltaSince(base.version, base.hash)!;
    assert.deepEqual(delta.removed, []);
    assert.deepEqual(delta.updated.map((r) => r.id), [a.id]);
    assert.equal(configHash(applyDelta(base.resources, delta)), source.current().hash);
  }));
}
