import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCE_TYPES } from '@portico/shared';
import { Store } from '../store/store.js';
import { createEntityOps } from './entity-kinds.js';

test('EntityOps without HTTP: one transaction inserts parents and children referenced by name (the declarative path)', () => {
  const store = Store.open(':memory:');
  try {
    const ops = createEntityOps(store);
    assert.deepEqual(Object.keys(ops).sort(), [...RESOURCE_TYPES].sort());
    const { result, version } = store.write('apply config', (tx) => {
      const consumer = ops.consumers.insertIn(tx, { username: 'alice' });
      const upstream = ops.upstreams.insertIn(tx, { name: 'u' });
      ops.targets.insertIn(tx, { target: '10.0.0.1', upstream: { name: 'u' } });
      ops.keyauth_credentials.insertIn(tx, { key: 'k', consumer: { username: 'alice' } });
      ops.basicauth_credentials.insertIn(tx, { username: 'login', password: 'pw', consumer: { id: consumer.id } });
      return { consumer, upstream };
    });
    assert.equal(version, 1, 'every entity in one version');
    assert.equal(store.count('targets'), 1);
    assert.deepEqual(store.get('keyauth_credentials', store.all('keyauth_credentials')[0]!.id)!['consumer'], { id: result.consumer.id });
    assert.notEqual(store.all('basicauth_credentials')[0]!.body.includes('"pw"'), true, 'the password is hashed on the declarative path too');

    // A failure anywhere rolls the whole transaction back.
    assert.throws(
      () =>
        store.write('bad config', (tx) => {
          ops.consumers.insertIn(tx, { username: 'bob' });
          ops.keyauth_credentials.insertIn(tx, { key: 'k2', consumer: { username: 'nobody' } });
        }),
      (err: Error & { code?: string }) => err.code === 'PORTICO_ERR_ADMIN_FOREIGN_KEYS_UNRESOLVED',
    );
    assert.equal(store.count('consumers'), 1);
    assert.equal(store.version(), 1);

    // build() validates without writing.
    const { entity } = ops.upstreams.build({ name: 'v' });
    assert.equal(entity['slots'], 10000);
    assert.equal(store.count('upstreams'), 1);
  } finally {
    store.close();
  }
});
