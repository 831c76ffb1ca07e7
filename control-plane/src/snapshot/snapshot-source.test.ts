import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Store } from '../store/index.js';
import { runSnapshotSourceContract } from './snapshot-source.contract.js';
import { createStoreSnapshotSource } from './store-snapshot-source.js';

runSnapshotSourceContract('store snapshot source', () => {
  const store = Store.open(':memory:');
  const source = createStoreSnapshotSource(store);
  return { store, source, close: () => (source.close(), store.close()) };
});

const service = (name: string) => ({ id: randomUUID(), name, host: 'example.com', port: 80, tags: null });

test('store snapshot source: versions older than the history window fall back to a full snapshot', () => {
  const store = Store.open(':memory:');
  const source = createStoreSnapshotSource(store, { historySize: 3 });
  try {
    store.write('1', (tx) => tx.insert('services', service('a')));
    const old = source.current();
    for (const n of ['b', 'c', 'd']) store.write(n, (tx) => tx.insert('services', service(n)));
    assert.equal(source.deltaSince(old.version, old.hash), null);
    const recent = source.current();
    assert.ok(source.deltaSince(recent.version - 2, source.full().hash) === null, 'hash of another version is refused');
  } finally {
    source.close();
    store.close();
  }
});

test('store snapshot source: starting over a non-empty store picks up its content and version', () => {
  const store = Store.open(':memory:');
  store.write('1', (tx) => tx.insert('services', service('a')));
  store.write('2', (tx) => tx.insert('services', service('b')));
  const source = createStoreSnapshotSource(store);
  try {
    assert.equal(source.current().version, 2);
    assert.equal(source.full().resources.length, 2);
  } finally {
    source.close();
    store.close();
  }
});
