import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idleSince } from './heap-release.js';

test('idleSince: idle only when the count has not moved since the previous look and nothing is in flight', () => {
  let served = 10;
  let inFlight = 0;
  const idle = idleSince(() => served, () => inFlight);
  assert.equal(idle(), true, 'nothing since it was made');
  served = 11;
  assert.equal(idle(), false, 'a request since the previous look');
  assert.equal(idle(), true, 'none since');
  inFlight = 1;
  assert.equal(idle(), false, 'one still in flight');
  inFlight = 0;
  assert.equal(idle(), true);
});
