import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCE_TYPES } from '../snapshot.js';
import { ENTITY_VALIDATORS } from './entities.js';
import { hashBasicAuthPassword, verifyBasicAuthPassword } from './credential-rules.js';
import { normalizeTarget } from './upstream-rules.js';

const auto = { auto: { now: 1700000000 } };

test('ENTITY_VALIDATORS covers every resource type, each named by its type', () => {
  assert.deepEqual(Object.keys(ENTITY_VALIDATORS).sort(), [...RESOURCE_TYPES].sort());
  for (const [type, v] of Object.entries(ENTITY_VALIDATORS)) assert.equal(v.name, type);
});

test('stored bodies are complete: credentials have no updated_at, consumers do, nulls for unset', () => {
  const consumer = ENTITY_VALIDATORS.consumers.validate({ username: 'a' }, auto);
  assert.ok(consumer.ok);
  assert.deepEqual(Object.keys(consumer.entity as object).sort(), ['created_at', 'custom_id', 'id', 'tags', 'updated_at', 'username']);
  const acl = ENTITY_VALIDATORS.acls.validate({ group: 'g', consumer: { id: '6f3e2a1c-1d2e-4f5a-8b9c-0d1e2f3a4b5c' } }, auto);
  assert.ok(acl.ok);
  assert.deepEqual(Object.keys(acl.entity as object).sort(), ['consumer', 'created_at', 'group', 'id', 'tags']);
});

test('targets normalize to host:port with port 8000; IPv6 gets brackets', () => {
  assert.equal(normalizeTarget('a.com'), 'a.com:8000');
  assert.equal(normalizeTarget('a.com:81'), 'a.com:81');
  assert.equal(normalizeTarget('::1'), '[::1]:8000');
  assert.equal(normalizeTarget('[::1]:90'), '[::1]:90');
  assert.equal(normalizeTarget('bad host'), undefined);
});

test('basic-auth hashes are salted (two hashes of one password differ) and verify', () => {
  const a = hashBasicAuthPassword('pw');
  const b = hashBasicAuthPassword('pw');
  assert.notEqual(a, b);
  assert.ok(verifyBasicAuthPassword(a, 'pw', 'any') && verifyBasicAuthPassword(b, 'pw', 'any'));
  assert.ok(!verifyBasicAuthPassword(a, 'pw2', 'any'));
  assert.ok(!verifyBasicAuthPassword('garbage', 'pw', 'any'));
});
