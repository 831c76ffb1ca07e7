import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.js';

test('backoff: full jitter stays within [0, min(max, initial·2^n)] and the ceiling grows to max', () => {
  const o = { initialMs: 200, maxMs: 5000 };
  assert.equal(backoffDelay(0, o, () => 0.999999), 199);
  assert.equal(backoffDelay(3, o, () => 0.999999), 1599);
  assert.equal(backoffDelay(10, o, () => 0.999999), 4999);
  assert.equal(backoffDelay(1000, o, () => 0.999999), 4999, 'no overflow on long outages');
  assert.equal(backoffDelay(5, o, () => 0), 0);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(i % 8, o);
    assert.ok(d >= 0 && d < 5000);
  }
});
