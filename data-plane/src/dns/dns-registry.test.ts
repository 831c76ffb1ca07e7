import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import { DnsRegistry, type DnsEntry, type DnsWatcher } from './dns-registry.js';
import { resolveName, type Resolution } from './resolve.js';

/** A registry whose resolver answers from `answer` and whose timers are recorded, not run. */
function harness(opts: { minTtlMs?: number; maxTtlMs?: number; defaultTtlMs?: number; errorRetryMs?: number } = {}) {
  const h = {
    answer: { addresses: ['10.0.0.1'], ttlMs: 30_000 } as Resolution | Error,
    queries: 0,
    timers: [] as { fn: () => void; ms: number }[],
    changes: 0,
    registry: null as unknown as DnsRegistry,
    watcher: null as unknown as DnsWatcher,
    /** Fires the last scheduled timer and waits for the query it starts. */
    async fire(host: string): Promise<void> {
      h.timers.pop()!.fn();
      await h.registry.refresh(host);
    },
  };
  h.watcher = { dnsChanged: (_e: DnsEntry) => void h.changes++ };
  h.registry = new DnsRegistry({
    ...opts,
    resolve: async () => {
      h.queries++;
      if (h.answer instanceof Error) throw h.answer;
      return h.answer;
    },
    schedule: (fn, ms) => void h.timers.push({ fn, ms }),
  });
  return h;
}

const fail = (code: string): Error => Object.assign(new Error(code), { code });

describe('DNS registry', () => {
  it('resolves a name when first watched, tells the watcher, and schedules the next query at the TTL', async () => {
    const h = harness();
    const entry = h.registry.watch('api.internal', h.watcher);
    assert.equal(entry.state, 'pending');
    await h.registry.refresh('api.internal');
    assert.equal(entry.state, 'resolved');
    assert.deepEqual(entry.addresses, ['10.0.0.1']);
    assert.equal(h.changes, 1);
    assert.equal(h.queries, 1);
    assert.deepEqual(h.timers.map((t) => t.ms), [30_000]);
  });

  it('re-resolves when the timer fires; watchers hear only of changes', async () => {
    const h = harness();
    const entry = h.registry.watch('api.internal', h.watcher);
    await h.registry.refresh('api.internal');
    await h.fire('api.internal');
    assert.equal(h.queries, 2);
    assert.equal(h.changes, 1, 'same answer: no change');
    h.answer = { addresses: ['10.0.0.1', '10.0.0.2'], ttlMs: 30_000 };
    await h.fire('api.internal');
    assert.deepEqual(entry.addresses, ['10.0.0.1', '10.0.0.2']);
    assert.equal(h.changes, 2);
    assert.equal(h.timers.length, 1, 'always exactly one pending query');
  });

  it('clamps the TTL to [minTtlMs, maxTtlMs]; an answer without TTL is kept defaultTtlMs', () => {
    const h = harness({ minTtlMs: 2_000, maxTtlMs: 60_000, defaultTtlMs: 15_000 });
    assert.equal(h.registry.delayFor(0), 2_000);
    assert.equal(h.registry.delayFor(3_600_000), 60_000);
    assert.equal(h.registry.delayFor(10_000), 10_000);
    assert.equal(h.registry.delayFor(null), 15_000);
  });

  it('a name that does not exist: DNS_ERROR state, no addresses, retried after errorRetryMs', async () => {
    const h = harness({ errorRetryMs: 7_000 });
    const entry = h.registry.watch('gone.internal', h.watcher);
    await h.registry.refresh('gone.internal');
    h.answer = fail('ENOTFOUND');
    await h.fire('gone.internal');
    assert.equal(entry.state, 'error');
    assert.equal(entry.error, 'ENOTFOUND');
    assert.deepEqual(entry.addresses, []);
    assert.equal(h.timers.at(-1)!.ms, 7_000);
    h.answer = { addresses: ['10.0.0.9'], ttlMs: 5_000 };
    await h.fire('gone.internal');
    assert.equal(entry.state, 'resolved');
    assert.deepEqual(entry.addresses, ['10.0.0.9']);
  });

  it('a resolver failure (timeout) keeps the last answer while it reports the error', async () => {
    const h = harness();
    const entry = h.registry.watch('flaky.internal', h.watcher);
    await h.registry.refresh('flaky.internal');
    h.answer = fail('ETIMEOUT');
    await h.fire('flaky.internal');
    assert.equal(entry.state, 'error');
    assert.equal(entry.error, 'ETIMEOUT');
    assert.deepEqual(entry.addresses, ['10.0.0.1']);
  });

  it('one entry per name, shared by every watcher', async () => {
    const h = harness();
    const a = h.registry.watch('shared.internal', h.watcher);
    const b = h.registry.watch('shared.internal', { dnsChanged: () => {} });
    assert.equal(a, b);
    await h.registry.refresh('shared.internal');
    assert.equal(h.queries, 1);
    assert.equal(h.registry.size, 1);
  });

  it('the real resolver answers for localhost (not in DNS: the system resolver)', async () => {
    const r = await resolveName('localhost');
    assert.ok(r.addresses.length > 0 && r.addresses.every((a) => isIP(a) !== 0), JSON.stringify(r));
  });

  it('the real resolver rejects a name that cannot exist with a node error code', async () => {
    await assert.rejects(resolveName('no-such-host.invalid'), (err: NodeJS.ErrnoException) => typeof err.code === 'string');
  });
});
