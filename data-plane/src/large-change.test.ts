import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLargeChange, LARGE_DELTA } from './large-change.js';

test('a whole config and a large delta are large changes; edits are not', () => {
  const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'routes' as const, id: `r${i}` }));
  const resources = (n: number) => refs(n).map((r) => ({ ...r, body: '{}' }));
  assert.equal(isLargeChange(undefined), true, 'no delta: start, cache or a full push');
  assert.equal(isLargeChange({ updated: resources(1), removed: [] }), false);
  assert.equal(isLargeChange({ updated: resources(LARGE_DELTA - 1), removed: [] }), false);
  assert.equal(isLargeChange({ updated: resources(LARGE_DELTA / 2), removed: refs(LARGE_DELTA / 2) }), true, 'updates and removals count together');
});
