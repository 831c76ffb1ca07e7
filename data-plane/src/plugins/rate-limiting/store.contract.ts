// The RateLimitStore contract: every implementation (local, ipc across workers, redis later)
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

    it('consume counts while every window has room, answers the usage before, and never counts past a limit', async () => {
      const store = make(() => T0);
      const ws = [windowAt('second', T0), windowAt('minute', T0)];
      const seen: number[][] = [];
      for (let i = 0; i < 4; i++) seen.push([...(await store.consume('p', 'k', ws, [10, 3], 1))]);
      assert.deepEqual(seen, [[0, 0], [1, 1], [2, 2], [3, 3]], 'the 4th sees minute used up and is not counted');
      assert.deepEqual([...(await store.usage('p', 'k', ws))], [3, 3]);
      assert.deepEqual([...(await store.consume('p', 'other', ws, [10, 3], 2))], [0, 0]);
      assert.deepEqual([...(await store.usage('p', 'other', ws))], [2, 2]);
      await store.close();
    });

    it('concurrent consumes never admit more than the limit', async () => {
      const store = make(() => T0);
      const ws = [windowAt('minute', T0)];
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          // A local store reuses its answer array: copy it before anything else runs.
          const u = store.consume('p', 'race', ws, [5], 1);
          return u instanceof Promise ? [...(await u)] : [...u];
        }),
      );
      const admitted = answers.filter((u) => 5 - u[0]! > 0).length;
      assert.equal(admitted, 5);
      assert.deepEqual([...(await store.usage('p', 'race', ws))], [5]);
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
