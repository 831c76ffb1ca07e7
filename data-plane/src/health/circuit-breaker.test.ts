// Circuit-breaker thresholds: admission, FIFO pending queue, fail-fast over
// max_pending_requests and max_requests, limits changed on a swap; and the
// failure-triggered breaker: open after N consecutive failures, fail fast,
// then one half-open probe decides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, CircuitBreaker, type BreakerWaiter } from './circuit-breaker.js';

const waiter = (log: string[], name: string): BreakerWaiter => ({ admitted: () => log.push(name) });

test('max_connections admits that many; the next wait in order; a release admits the oldest waiter', () => {
  const b = new CircuitBreaker({ maxConnections: 2, maxPendingRequests: 2, maxRequests: Infinity, consecutiveFailures: 0, openMs: 10_000 });
  const log: string[] = [];
  assert.equal(b.admit(waiter(log, 'a')), Admission.ADMITTED);
  assert.equal(b.admit(waiter(log, 'b')), Admission.ADMITTED);
  assert.equal(b.admit(waiter(log, 'c')), Admission.QUEUED);
  assert.equal(b.admit(waiter(log, 'd')), Admission.QUEUED);
  assert.equal(b.admit(waiter(log, 'e')), Admission.TOO_MANY_PENDING);
  assert.deepEqual([b.active, b.pending], [2, 2]);
  b.release();
  assert.deepEqual(log, ['c']);
  b.release();
  assert.deepEqual(log, ['c', 'd']);
  assert.deepEqual([b.active, b.pending], [2, 0]);
});

test('max_requests counts waiting and running requests together', () => {
  const b = new CircuitBreaker({ maxConnections: 1, maxPendingRequests: Infinity, maxRequests: 3, consecutiveFailures: 0, openMs: 10_000 });
  const log: string[] = [];
  assert.equal(b.admit(waiter(log, 'a')), Admission.ADMITTED);
  assert.equal(b.admit(waiter(log, 'b')), Admission.QUEUED);
  assert.equal(b.admit(waiter(log, 'c')), Admission.QUEUED);
  assert.equal(b.admit(waiter(log, 'd')), Admission.TOO_MANY_REQUESTS);
});

test('a cancelled waiter is never admitted; raised limits admit waiters at once', () => {
  const b = new CircuitBreaker({ maxConnections: 1, maxPendingRequests: 5, maxRequests: Infinity, consecutiveFailures: 0, openMs: 10_000 });
  const log: string[] = [];
  b.admit(waiter(log, 'a'));
  const c = waiter(log, 'c');
  b.admit(waiter(log, 'b'));
  b.admit(c);
  b.admit(waiter(log, 'd'));
  b.cancel(c);
  b.setLimits({ maxConnections: 3, maxPendingRequests: 5, maxRequests: Infinity, consecutiveFailures: 0, openMs: 10_000 });
  assert.deepEqual(log, ['b', 'd']);
  assert.deepEqual([b.active, b.pending], [3, 0]);
});

test('unlimited (0 in config → Infinity) never refuses', () => {
  const b = new CircuitBreaker({ maxConnections: Infinity, maxPendingRequests: Infinity, maxRequests: Infinity, consecutiveFailures: 0, openMs: 10_000 });
  for (let i = 0; i < 10_000; i++) assert.equal(b.admit(waiter([], 'x')), Admission.ADMITTED);
});

test('consecutive failures open the breaker; it fails fast until open_timeout, then one half-open probe decides', () => {
  let now = 0;
  const b = new CircuitBreaker({ maxConnections: Infinity, maxPendingRequests: Infinity, maxRequests: Infinity, consecutiveFailures: 3, openMs: 1000 }, () => now);
  const log: string[] = [];
  const run = (failed: boolean) => {
    assert.equal(b.admit(waiter(log, 'x')), Admission.ADMITTED);
    b.outcome(failed);
    b.release();
  };
  run(true);
  run(true);
  run(false); // a success resets the count
  run(true);
  run(true);
  assert.equal(b.state, 'closed');
  run(true);
  assert.equal(b.state, 'open');
  assert.equal(b.admit(waiter(log, 'y')), Admission.OPEN, 'open: refused at once');
  now = 999;
  assert.equal(b.admit(waiter(log, 'y')), Admission.OPEN);
  now = 1000;
  // Half-open: the first request is the probe, the others are refused while it runs.
  assert.equal(b.admit(waiter(log, 'probe')), Admission.ADMITTED);
  assert.equal(b.state, 'half-open');
  assert.equal(b.admit(waiter(log, 'z')), Admission.OPEN);
  b.outcome(true);
  b.release();
  assert.equal(b.state, 'open', 'a failed probe opens it again');
  assert.equal(b.admit(waiter(log, 'z')), Admission.OPEN);
  now = 2000;
  assert.equal(b.admit(waiter(log, 'probe2')), Admission.ADMITTED);
  b.outcome(false);
  b.release();
  assert.equal(b.state, 'closed', 'a good probe closes it');
  assert.equal(b.admit(waiter(log, 'after')), Admission.ADMITTED);
  assert.equal(b.opened, 2);
});

test('a half-open probe that ends without an answer lets the next request probe; turning tripping off closes the breaker', () => {
  let now = 0;
  const limits = { maxConnections: Infinity, maxPendingRequests: Infinity, maxRequests: Infinity, consecutiveFailures: 1, openMs: 10 };
  const b = new CircuitBreaker(limits, () => now);
  const log: string[] = [];
  b.admit(waiter(log, 'a'));
  b.outcome(true);
  b.release();
  now = 10;
  assert.equal(b.admit(waiter(log, 'probe')), Admission.ADMITTED);
  b.release(); // client went away: no outcome
  assert.equal(b.admit(waiter(log, 'probe again')), Admission.ADMITTED);
  b.release();
  b.outcome(true);
  assert.equal(b.state, 'open');
  b.setLimits({ ...limits, consecutiveFailures: 0 });
  assert.equal(b.state, 'closed');
  assert.equal(b.admit(waiter(log, 'b')), Admission.ADMITTED);
});
