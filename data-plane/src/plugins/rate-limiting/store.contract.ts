// The RateLimitStore contract: every implementation (local now, redis later)
// runs these. `make` gets a clock the test controls.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RateLimitStore } from './store.js';
import { windowAt } from './windows.js';

export function rateLimitStoreContract(label: string, make: (now: () => number) => RateLimitStore): void {
  describe(`RateLimitStore contract: ${label}`, () => {
    const T0 = Date.UTC(2030, 0, 15, 10, 30, 5, 0);

    it('counts per (plugin, key, window) and answers 0 for unknown counters', async () => {
      const store = make(() => T0);
      const ws = [windowAt('second', T0), windowAt('minute', T0)];
      assert.deepEqual([...(await store.usage('p1', 'k', ws))], [0, 0]);
      await store.increment('p1', 'k', ws, 1);
      await store.increment('p1', 'k', ws, 2);
      assert.deepEqual([...(await store.usage('p1', 'k', ws))], [3, 3]);
      assert.deepEqual([...(await store.usage('p1', 'other', ws))], [0, 0], 'another key');
      assert.deepEqual([...(await store.usage('p2', 'k', ws))], [0, 0], 'another plugin');
      await store.close();
    });

    it('a new window starts from zero while the longer window keeps counting', async () => {
      let now = T0;
      const store = make(() => now);
      await store.increment('p', 'k', [windowAt('second', now), windowAt('minute', now)], 5);
      now = T0 + 1_000;
      const ws = [windowAt('second', now), windowAt('minute', now)];
      assert.deepEqual([...(await store.usage('p', 'k', ws))], [0, 5]);
      await store.increment('p', 'k', ws, 1);
      assert.deepEqual([...(await store.usage('p', 'k', ws))], [1, 6]);
      await store.close();
    });

    it('retain drops the counters of plugins that are gone and keeps the others', async () => {
      const store = make(() => T0);
      const ws = [windowAt('hour', T0)];
      await store.increment('keep', 'k', ws, 1);
      await store.increment('drop', 'k', ws, 1);
      store.retain(new Set(['keep']));
      assert.deepEqual([...(await store.usage('keep', 'k', ws))], [1]);
      assert.deepEqual([...(await store.usage('drop', 'k', ws))], [0]);
      await store.close();
    });
  });
}
