import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isPorticoError } from '@portico/shared';
import { RESOURCE_TYPES } from '@portico/shared';
import { changedRowsSql, REMOVED_SINCE_SQL, Store } from './store.js';
import { StoreErrors } from './errors.js';

const service = (name: string) => ({ id: randomUUID(), name, host: 'example.com', port: 80, tags: null });
const route = (serviceId: string, name: string) => ({ id: randomUUID(), name, paths: ['/'], service: { id: serviceId }, tags: null });

test('every write bumps the config version once and stamps what it touched', () => {
  const store = Store.open(':memory:');
  assert.equal(store.version(), 0);
  const s = service('a');
  const r1 = route(s.id, 'r1');
  const { version } = store.write('create', (tx) => {
    tx.insert('services', s);
    tx.insert('routes', r1);
  });
  assert.equal(version, 1);
  assert.equal(store.version(), 1);
  const changes = store.changesSince(0);
  assert.deepEqual(changes.updated.map((r) => r.id).sort(), [s.id, r1.id].sort());
  assert.equal(store.changesSince(1).updated.length, 0);
});

test('a write that changes nothing leaves the version alone', () => {
  const store = Store.open(':memory:');
  const { version, changed } = store.write('noop', () => 42);
  assert.equal(version, 0);
  assert.equal(changed, false);
});

test('deletes leave tombstones visible to changesSince, and re-creating clears them', () => {
  const store = Store.open(':memory:');
  const s = service('a');
  store.write('create', (tx) => tx.insert('services', s));
  store.write('delete', (tx) => tx.remove('services', s.id));
  assert.deepEqual(store.changesSince(1).removed, [{ type: 'services', id: s.id }]);
  store.write('recreate', (tx) => tx.insert('services', s));
  const c = store.changesSince(1);
  assert.deepEqual(c.removed, []);
  assert.deepEqual(c.updated.map((r) => r.id), [s.id]);
});

test('a failed write rolls back everything, version included', () => {
  const store = Store.open(':memory:');
  store.write('create', (tx) => tx.insert('services', service('dup')));
  assert.throws(
    () =>
      store.write('dup', (tx) => {
        tx.insert('services', service('other'));
        tx.insert('services', service('dup'));
      }),
    (err) => isPorticoError(err, StoreErrors.UNIQUE_VIOLATION) && err.detail?.['field'] === 'name',
  );
  assert.equal(store.version(), 1);
  assert.equal(store.count('services'), 1);
});

test('deleting a service with routes is refused (Kong: on_delete restrict)', () => {
  const store = Store.open(':memory:');
  const s = service('a');
  store.write('create', (tx) => {
    tx.insert('services', s);
    tx.insert('routes', route(s.id, 'r'));
  });
  assert.throws(() => store.write('delete', (tx) => tx.remove('services', s.id)), (err) => isPorticoError(err, StoreErrors.REFERENCED_BY_OTHERS));
  assert.equal(store.version(), 1);
});

test('a route pointing at a missing service is refused', () => {
  const store = Store.open(':memory:');
  assert.throws(() => store.write('create', (tx) => tx.insert('routes', route(randomUUID(), 'r'))), (err) => isPorticoError(err, StoreErrors.FOREIGN_KEY_MISSING));
});

test('list pages by id with an opaque offset and filters by tags', () => {
  const store = Store.open(':memory:');
  store.write('create', (tx) => {
    for (let i = 0; i < 5; i++) tx.insert('services', { ...service(`s${i}`), tags: i % 2 ? ['odd'] : ['even', 'x'] });
  });
  const p1 = store.list('services', { size: 2 });
  assert.equal(p1.data.length, 2);
  assert.ok(p1.offset);
  const p2 = store.list('services', { size: 2, offset: p1.offset });
  const p3 = store.list('services', { size: 2, offset: p2.offset! });
  assert.equal(p3.data.length, 1);
  assert.equal(p3.offset, null);
  const ids = [...p1.data, ...p2.data, ...p3.data].map((e) => e.id);
  assert.equal(new Set(ids).size, 5);
  assert.equal(store.list('services', { size: 10, tags: ['even', 'x'] }).data.length, 3);
  assert.equal(store.list('services', { size: 10, tags: ['odd', 'x'], tagsMode: 'or' }).data.length, 5);
  assert.equal(store.list('services', { size: 10, tags: ['odd', 'x'] }).data.length, 0);
  assert.throws(() => store.list('services', { size: 2, offset: '%%%' }), (err) => isPorticoError(err, StoreErrors.INVALID_OFFSET));
});

test('onCommit fires once per committed write with the new version', () => {
  const store = Store.open(':memory:');
  const seen: number[] = [];
  store.onCommit((v) => seen.push(v));
  store.write('a', (tx) => tx.insert('services', service('a')));
  store.write('noop', () => undefined);
  assert.throws(() => store.write('dup', (tx) => tx.insert('services', service('a'))));
  store.write('b', (tx) => tx.insert('services', service('b')));
  assert.deepEqual(seen, [1, 2]);
});

test('changesSince reads only the changed rows: every query searches the version index', () => {
  const store = Store.open(':memory:');
  const plan = (sql: string) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0) as { detail: string }[]).map((r) => r.detail).join('; ');
  for (const type of RESOURCE_TYPES) assert.match(plan(changedRowsSql(type)), new RegExp(`SEARCH ${type} USING INDEX ${type}_version \\(version>\\?\\)`), type);
  assert.match(plan(REMOVED_SINCE_SQL), /SEARCH tombstones USING INDEX tombstones_version \(version>\?\)/);
  store.close();
});
