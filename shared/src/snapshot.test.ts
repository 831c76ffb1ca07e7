import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ConfigHasher, configHash, type Resource } from './snapshot.js';

const r = (id: string, body: string): Resource => ({ type: 'services', id, body });

test('the config hash does not depend on resource order', () => {
  const a = [r('1', '{"a":1}'), r('2', '{"b":2}'), { type: 'routes', id: '1', body: '{}' } as Resource];
  assert.equal(configHash(a), configHash([...a].reverse()));
});

test('a resource hashes as sha256(type NUL id NUL body): nodes of any version agree on it', () => {
  const res: Resource = { type: 'routes', id: 'a1', body: '{"name":"café ☃"}' };
  const expected = createHash('sha256').update('routes').update('\0').update('a1').update('\0').update(res.body).digest('hex');
  assert.equal(configHash([res]), expected);
});

test('the config hash changes when any body, id or type changes', () => {
  const base = configHash([r('1', '{"a":1}'), r('2', '{"b":2}')]);
  assert.notEqual(configHash([r('1', '{"a":2}'), r('2', '{"b":2}')]), base);
  assert.notEqual(configHash([r('3', '{"a":1}'), r('2', '{"b":2}')]), base);
  assert.notEqual(configHash([{ type: 'routes', id: '1', body: '{"a":1}' }, r('2', '{"b":2}')]), base);
  // The separator keeps (id, body) boundaries distinct.
  assert.notEqual(configHash([r('1', '2{}')]), configHash([r('12', '{}')]));
});

test('incremental add/remove reaches the same hash as hashing from scratch', () => {
  const h = new ConfigHasher();
  const one = r('1', '{"v":1}');
  const oneV2 = r('1', '{"v":2}');
  const two = r('2', '{}');
  h.add(one);
  h.add(two);
  h.remove(one);
  h.add(oneV2);
  assert.equal(h.hex(), configHash([oneV2, two]));
  h.remove(oneV2);
  h.remove(two);
  assert.equal(h.hex(), configHash([]));
});
