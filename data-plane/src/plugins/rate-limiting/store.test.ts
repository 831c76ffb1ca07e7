import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LocalRateLimitStore } from './store.js';
import { rateLimitStoreContract } from './store.contract.js';
import { windowAt } from './windows.js';

rateLimitStoreContract('local', (now) => new LocalRateLimitStore({ now }));

it('local store: expired counters are pruned, so memory follows live keys only', () => {
  let now = Date.UTC(2030, 0, 1);
  const store = new LocalRateLimitStore({ now: () => now, sweepEveryMs: 1_000 });
  for (let i = 0; i < 100; i++) store.increment('p', `ip-${i}`, [windowAt('second', now)], 1);
  assert.equal(store.size, 100);
  now += 5_000;
  store.increment('p', 'fresh', [windowAt('second', now)], 1);
  assert.equal(store.size, 1);
});
