import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pinTickObjectShape, pinnedTickObject } from './tick-shape.js';

test('tick shape: one of Node\'s own TickObjects is captured and held', () => {
  assert.equal(pinTickObjectShape(), true);
  const held = pinnedTickObject();
  assert.ok(held !== null);
  // What process.nextTick builds: two symbol keys (async ids), then callback and args.
  assert.equal(Object.getOwnPropertySymbols(held).length, 2);
  assert.deepEqual(Object.keys(held), ['callback', 'args']);
  assert.equal(pinTickObjectShape(), true, 'idempotent');
  assert.equal(pinnedTickObject(), held);
});
