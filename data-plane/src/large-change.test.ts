import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceType } from '@portico/shared';
import { compilesInSlices, isLargeChange, LARGE_DELTA } from './large-change.js';

test('a whole config and a large delta are large changes; edits are not', () => {
  const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'routes' as const, id: `r${i}` }));
  const resources = (n: number) => refs(n).map((r) => ({ ...r, body: '{}' }));
  assert.equal(isLargeChange(undefined), true, 'no delta: start, cache or a full push');
  assert.equal(isLargeChange({ updated: resources(1), removed: [] }), false);
  assert.equal(isLargeChange({ updated: resources(LARGE_DELTA - 1), removed: [] }), false);
  assert.equal(isLargeChange({ updated: resources(LARGE_DELTA / 2), removed: refs(LARGE_DELTA / 2) }), true, 'updates and removals count together');
});

test('a plugin edit is compiled in slices on a large table; other edits are not', () => {
  const one = (type: ResourceType) => ({ updated: [{ type, id: 'x', body: '{}' }], removed: [] });
  const gone = (type: string) => ({ updated: [], removed: [{ type, id: 'x' }] });
  assert.equal(compilesInSlices(undefined, 1), true, 'a whole config, whatever its size');
  assert.equal(compilesInSlices(one('plugins'), LARGE_DELTA), true, `a plugin updated at ${LARGE_DELTA} routes`);
  assert.equal(compilesInSlices(gone('plugins'), LARGE_DELTA), true, `a plugin removed at ${LARGE_DELTA} routes`);
  assert.equal(compilesInSlices(one('plugins'), LARGE_DELTA - 1), false, 'a plugin on a small table: at once');
  for (const type of ['routes', 'services', 'upstreams', 'targets', 'consumers', 'keyauth_credentials'] as const) {
    assert.equal(compilesInSlices(one(type), 100_000), false, `${type}: at once`);
  }
});
