import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource } from '@portico/shared';
import { applyDelta, diffFromHint, diffResources, indexResources } from './config-delta.js';

const r = (type: string, id: string, body: string): Resource => ({ type, id, body }) as Resource;

test('diffResources: changed bodies and additions are sent, removals named, unchanged left out', () => {
  const before = [r('services', 's1', '{"a":1}'), r('routes', 'r1', '{"p":1}'), r('routes', 'r2', '{"p":2}')];
  const after = [r('services', 's1', '{"a":1}'), r('routes', 'r1', '{"p":"changed"}'), r('routes', 'r3', '{"p":3}')];
  const first = diffResources(null, before);
  assert.equal(first.changed.length, 3, 'with nothing held everything is new');
  assert.deepEqual(first.removed, []);
  const d = diffResources(first.index, after);
  assert.deepEqual(d.changed.map((x) => x.id).sort(), ['r1', 'r3']);
  assert.deepEqual(d.removed, [{ type: 'routes', id: 'r2' }]);
});

test('a worker applying the delta to what it holds ends with exactly the new config', () => {
  const before = Array.from({ length: 50 }, (_, i) => r('routes', `r${i}`, `{"n":${i}}`));
  const after = before.filter((_, i) => i % 7 !== 0).map((x, i) => (i % 5 === 0 ? r(x.type, x.id, `${x.body} `) : x));
  after.push(r('services', 'new', '{}'), r('routes', 'r0', '{"back":true}'));
  const held = indexResources(before);
  const d = diffResources(indexResources(before), after);
  const resources = applyDelta(held, { baseVersion: 1, baseHash: 'g', version: 2, hash: 'h', changed: d.changed, removed: d.removed });
  const key = (x: Resource) => `${x.type}/${x.id}=${x.body}`;
  assert.deepEqual([...resources].map(key).sort(), after.map(key).sort());
});

test('the same type and id under another type is another resource', () => {
  const a = diffResources(null, [r('routes', 'x', '1'), r('services', 'x', '2')]);
  assert.equal(a.index.size, 2);
  const b = diffResources(a.index, [r('routes', 'x', '1')]);
  assert.deepEqual(b.removed, [{ type: 'services', id: 'x' }]);
  assert.deepEqual(b.changed, []);
});

test('diffFromHint says what diffResources says, from the change alone', () => {
  const before = Array.from({ length: 30 }, (_, i) => r('routes', `r${i}`, `{"n":${i}}`));
  const after = before.filter((_, i) => i % 4 !== 0).map((x, i) => (i % 3 === 0 ? r(x.type, x.id, `${x.body} `) : x));
  after.push(r('services', 'new', '{}'));
  const expected = diffResources(indexResources(before), after);
  // The hint lists every touched resource, including one rewritten with the same text, and one removal of something never held.
  const updated = [...after.filter((x) => !before.includes(x)), before[2]!];
  const removed = [...before.filter((_, i) => i % 4 === 0).map((x) => ({ type: x.type, id: x.id })), { type: 'routes', id: 'never' }];
  const got = diffFromHint(indexResources(before), { updated, removed });
  const key = (x: { type: string; id: string }) => `${x.type}/${x.id}`;
  assert.deepEqual(got.changed.map(key).sort(), expected.changed.map(key).sort());
  assert.deepEqual(got.removed.map(key).sort(), expected.removed.map(key).sort());
  assert.deepEqual([...got.index.keys()].sort(), [...expected.index.keys()].sort());
});
