// Apply and export over every Kong entity type at once (the validators in
// shared/src/validation/entities.ts), at the store level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { verifyBasicAuthPassword } from '@portico/shared';
import { Store } from '../store/store.js';
import { applyDocument } from './apply.js';
import { exportDocument, renderDocument } from './export.js';
import { stableId } from './stable-id.js';

const doc = () => ({
  _format_version: '3.0',
  consumers: [
    {
      username: 'alice',
      keyauth_credentials: [{ key: 'alice-key' }],
      basicauth_credentials: [{ username: 'alice-basic', password: 'open-sesame' }],
      acls: [{ group: 'admins' }],
    },
  ],
  upstreams: [{ name: 'up', targets: [{ target: '127.0.0.1:8080' }, { target: '127.0.0.1:8081', weight: 50 }] }],
  services: [{ name: 's', host: 'up', plugins: [{ name: 'key-auth' }], routes: [{ name: 'r', paths: ['/'] }] }],
});

test('every entity family applies from nested YAML, with stable ids, and re-applies as a no-op', () => {
  const store = Store.open(':memory:');
  const r = applyDocument(store, doc());
  assert.deepEqual(r.plan.summary, { created: 10, updated: 0, deleted: 0 });
  const consumerId = stableId('consumers', { username: 'alice' });
  const upstreamId = stableId('upstreams', { name: 'up' });
  assert.ok(store.get('consumers', consumerId));
  // Targets are unique per upstream only, so their id includes the parent's (as Kong's does).
  assert.ok(store.get('targets', stableId('targets', { target: '127.0.0.1:8080' }, { field: 'upstream', id: upstreamId })));
  const plugin = store.all('plugins').map((p) => JSON.parse(p.body))[0];
  assert.deepEqual(plugin.service, { id: stableId('services', { name: 's' }) });
  const again = applyDocument(store, doc());
  assert.equal(again.changed, false);
  assert.equal(again.version, 1);
});

test('basic-auth passwords are stored hashed, kept across re-applies, and exported hashed with _transform: false', () => {
  const store = Store.open(':memory:');
  applyDocument(store, doc());
  const cred = JSON.parse(store.all('basicauth_credentials')[0]!.body);
  assert.notEqual(cred.password, 'open-sesame');
  assert.ok(verifyBasicAuthPassword(cred.password, 'open-sesame', cred.consumer.id));
  const text = renderDocument(exportDocument(store), 'yaml');
  assert.ok(!text.includes('open-sesame'));
  assert.match(text, /_transform: false/);
  assert.equal(applyDocument(store, parse(text)).changed, false);
  assert.equal(renderDocument(exportDocument(store), 'yaml'), text);
  const changed = doc();
  changed.consumers[0]!.basicauth_credentials[0]!.password = 'new-password';
  const r = applyDocument(store, changed);
  assert.deepEqual(r.plan.changes.map((c) => [c.action, c.kind, c.fields]), [['update', 'basic-auth', [{ field: 'password', old: '<redacted>', new: '<redacted>' }]]]);
});

test('deleting a consumer from the document deletes its credentials too, in the same version', () => {
  const store = Store.open(':memory:');
  applyDocument(store, doc());
  const { consumers: _gone, ...rest } = doc();
  const r = applyDocument(store, rest);
  assert.deepEqual(r.plan.changes.filter((c) => c.action === 'delete').map((c) => c.kind), ['acl-group', 'basic-auth', 'key-auth', 'consumer']);
  assert.equal(r.version, 2);
  assert.equal(store.count('keyauth_credentials') + store.count('acls') + store.count('consumers'), 0);
});
