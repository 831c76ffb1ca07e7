import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { configHash, isPorticoError } from '@portico/shared';
import { StoreErrors } from './errors.js';
import { Store } from './store.js';

const service = (name: string, host = 'example.com') => ({ id: randomUUID(), name, host, port: 80, tags: null });
const route = (serviceId: string, name: string) => ({ id: randomUUID(), name, paths: ['/'], service: { id: serviceId }, tags: null });
const plugin = (serviceId: string) => ({ id: randomUUID(), name: 'cors', instance_name: null, service: { id: serviceId }, route: null, consumer: null, config: {} });

test('every version keeps its change set: bodies before and after, per entity', () => {
  const store = Store.open(':memory:');
  const s = service('a');
  store.write('create', (tx) => {
    tx.insert('services', s);
    tx.insert('routes', route(s.id, 'r'));
  });
  store.write('update', (tx) => tx.update('services', { ...s, host: 'b.com' }));
  const v1 = store.versionDetail(1)!;
  assert.deepEqual(v1.changes, { created: 2, updated: 0, deleted: 0 });
  assert.deepEqual(v1.entities!.map((e) => [e.type, e.action, e.before]), [['services', 'created', null], ['routes', 'created', null]]);
  const v2 = store.versionDetail(2)!;
  assert.equal(v2.summary, 'update');
  assert.deepEqual(v2.entities, [{ type: 'services', id: s.id, action: 'updated', before: s, after: { ...s, host: 'b.com' } }]);
  assert.equal(store.versionDetail(3), undefined);
});

test('a cascaded delete records every row it removed', () => {
  const store = Store.open(':memory:');
  const s = service('a');
  store.write('create', (tx) => {
    tx.insert('services', s);
    tx.insert('plugins', plugin(s.id));
  });
  store.write('delete', (tx) => tx.remove('services', s.id));
  assert.deepEqual(store.versionDetail(2)!.changes, { created: 0, updated: 0, deleted: 2 });
});

test('versions are listed newest first and page with `next`', () => {
  const store = Store.open(':memory:');
  for (const n of ['a', 'b', 'c']) store.write(`create ${n}`, (tx) => tx.insert('services', service(n)));
  const p1 = store.versions(2);
  assert.deepEqual(p1.data.map((v) => v.version), [3, 2]);
  assert.equal(p1.next, 2);
  assert.deepEqual(p1.data[0]!.changes, { created: 1, updated: 0, deleted: 0 });
  const p2 = store.versions(2, p1.next!);
  assert.deepEqual(p2.data.map((v) => v.summary), ['create a']);
  assert.equal(p2.next, null);
});

test('rollback restores the exact config of an earlier version as one new version', () => {
  const store = Store.open(':memory:');
  const s = service('a');
  const r = route(s.id, 'r');
  store.write('v1', (tx) => tx.insert('services', s));
  const atV1 = configHash(store.allResources());
  store.write('v2', (tx) => {
    tx.update('services', { ...s, host: 'changed.com' });
    tx.insert('routes', r);
  });
  const b = service('b');
  store.write('v3', (tx) => {
    tx.insert('services', b);
    tx.remove('routes', r.id);
  });
  store.write('v4', (tx) => tx.remove('services', s.id));
  const res = store.rollbackTo(1);
  assert.deepEqual(res, { version: 5, changed: true, changes: { created: 1, updated: 0, deleted: 1 } });
  assert.equal(configHash(store.allResources()), atV1);
  assert.deepEqual(store.get('services', s.id), s);
  // Data planes see the rollback like any write: rows stamped, tombstones laid.
  const delta = store.changesSince(4);
  assert.deepEqual(delta.updated.map((u) => u.id), [s.id]);
  assert.ok(delta.removed.some((x) => x.id === b.id));
  // …and the rollback itself can be rolled back.
  store.rollbackTo(4);
  assert.equal(store.get('services', s.id), undefined);
  assert.equal(store.count('services'), 1);
});

test('rollback to version 0 empties the config; to the current version writes nothing', () => {
  const store = Store.open(':memory:');
  const s = service('a');
  store.write('v1', (tx) => {
    tx.insert('services', s);
    tx.insert('routes', route(s.id, 'r'));
  });
  assert.deepEqual(store.rollbackTo(1), { version: 1, changed: false, changes: { created: 0, updated: 0, deleted: 0 } });
  assert.equal(store.rollbackTo(0).version, 2);
  assert.equal(store.count('services') + store.count('routes'), 0);
});

test('rollback refuses versions outside the recorded history', () => {
  const store = Store.open(':memory:');
  store.write('v1', (tx) => tx.insert('services', service('a')));
  for (const bad of [2, -1, 1.5]) {
    assert.throws(() => store.rollbackTo(bad), (err) => isPorticoError(err, StoreErrors.VERSION_OUT_OF_RANGE) && /restorable versions are 0 to 1/.test(err.message));
  }
  assert.equal(store.version(), 1);
});

test('versions committed before history existed are listed without a change set and cannot be restored', () => {
  const store = Store.open(':memory:');
  store.write('old', (tx) => tx.insert('services', service('a')));
  // As if migration 3 ran on a database already at version 1.
  store.db.prepare('UPDATE config_history_start SET version = 1').run();
  store.db.prepare('DELETE FROM config_history WHERE version = 1').run();
  store.write('new', (tx) => tx.insert('services', service('b')));
  assert.deepEqual(store.versions(10).data.map((v) => v.changes), [{ created: 1, updated: 0, deleted: 0 }, null]);
  assert.equal(store.versionDetail(1)!.entities, null);
  assert.throws(() => store.rollbackTo(0), (err) => isPorticoError(err, StoreErrors.VERSION_OUT_OF_RANGE));
  assert.equal(store.rollbackTo(1).changes.deleted, 1);
});

test('restore writes rows in any order: foreign keys are checked at commit', () => {
  const store = Store.open(':memory:');
  const s = service('a');
  const r = route(s.id, 'r');
  store.write('restore', (tx) => {
    assert.throws(() => tx.restore('routes', r.id, r), /foreign key/i); // the parent must exist when a child is written…
    tx.restore('services', s.id, s);
    tx.restore('routes', r.id, r);
  });
  // …but a parent may be deleted before its children in the same write.
  store.write('drop', (tx) => {
    tx.restore('services', s.id, null);
    tx.restore('routes', r.id, null);
  });
  assert.equal(store.count('routes'), 0);
  // Leaving a dangling child fails the whole write.
  store.write('again', (tx) => {
    tx.restore('services', s.id, s);
    tx.restore('routes', r.id, r);
  });
  assert.throws(() => store.write('dangle', (tx) => tx.restore('services', s.id, null)));
  assert.equal(store.count('services'), 1);
  assert.equal(store.write('same', (tx) => tx.restore('services', s.id, s)).changed, false);
});
