// The IPC store runs the shared RateLimitStore contract against a real forked
// process holding the counters, and measures what a round trip costs.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rateLimitStoreContract } from '../plugins/rate-limiting/store.contract.js';
import { windowAt } from '../plugins/rate-limiting/windows.js';
import { IpcRateLimitStore } from './ipc-rate-limit-store.js';

const HOST = fileURLToPath(new URL('./test-rate-limit-host.js', import.meta.url));
const children: ChildProcess[] = [];

function host(): ChildProcess {
  const child = fork(HOST, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return child;
}

after(() => {
  for (const c of children) if (c.connected) c.disconnect();
});

// A fresh host per store: each contract case starts from empty counters.
rateLimitStoreContract('ipc (worker → primary)', () => new IpcRateLimitStore(host()));

describe('ipc rate-limit store', () => {
  it('fails a request, rather than hanging, when the primary does not answer in time', async () => {
    const silent = { send: () => true, on: () => undefined, off: () => undefined };
    const store = new IpcRateLimitStore(silent, { timeoutMs: 50 });
    await assert.rejects(Promise.resolve(store.consume('p', 'k', [windowAt('minute', Date.now())], [5], 1)), /no answer from the primary/);
    assert.equal(store.pending, 0);
    await store.close();
  });

  it('cost: sequential and concurrent consume round trips', async (t) => {
    const store = new IpcRateLimitStore(host());
    const ws = [windowAt('minute', Date.now())];
    const N = 2_000;
    for (let i = 0; i < 200; i++) await store.consume('p', 'warm', ws, [1e9], 1);
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await store.consume('p', 'seq', ws, [1e9], 1);
    const seqUs = Number(process.hrtime.bigint() - t0) / 1e3 / N;
    t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: N }, () => store.consume('p', 'par', ws, [1e9], 1)));
    const parUs = Number(process.hrtime.bigint() - t0) / 1e3 / N;
    t.diagnostic(`ipc consume: ${seqUs.toFixed(1)} µs per sequential round trip, ${parUs.toFixed(1)} µs per request with ${N} in flight`);
    assert.deepEqual([...(await store.usage('p', 'seq', ws))], [N]);
    assert.deepEqual([...(await store.usage('p', 'par', ws))], [N]);
    await store.close();
  });
});
