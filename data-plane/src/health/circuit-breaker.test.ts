// Circuit-breaker thresholds: admission, FIFO pending queue, fail-fast over
// max_pending_requests and max_requests, limits changed on a swap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, CircuitBreaker, type BreakerWaiter } from './circuit-breaker.js';

const waiter = (log: string[], name: string): BreakerWaiter => ({ admitted: () => log.push(name) });

test('max_connections admits that many; the next wait in order; a release admits the oldest waiter', () => {
  const b = new CircuitBreaker({ maxConnections: 2, maxPendingRequests: 2, maxRequests: Infinity });
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
  const b = new CircuitBreaker({ maxConnections: 1, maxPendingRequests: Infinity, maxRequests: 3 });
  const log: string[] = [];
  assert.equal(b.admit(waiter(log, 'a')), Admission.ADMITTED);
  assert.equal(b.admit(waiter(log, 'b')), Admission.QUEUED);
  assert.equal(b.admit(waiter(log, 'c')), Admission.QUEUED);
  assert.equal(b.admit(waiter(log, 'd')), Admission.TOO_MANY_REQUESTS);
});

test('a cancelled waiter is never admitted; raised limits admit waiters at once', () => {
  const b = new CircuitBreaker({ maxConnections: 1, maxPendingRequests: 5, maxRequests: Infinity });
  const log: string[] = [];
  b.admit(waiter(log, 'a'));
  const c = waiter(log, 'c');
  b.admit(waiter(log, 'b'));
  b.admit(c);
  b.admit(waiter(log, 'd'));
  b.cancel(c);
  b.setLimits({ maxConnections: 3, maxPendingRequests: 5, maxRequests: Infinity });
  assert.deepEqual(log, ['b', 'd']);
  assert.deepEqual([b.active, b.pending], [3, 0]);
});

test('unlimited (0 in config → Infinity) never refuses', () => {
  const b = new CircuitBreaker({ maxConnections: Infinity, maxPendingRequests: Infinity, maxRequests: Infinity });
  for (let i = 0; i < 10_000; i++) assert.equal(b.admit(waiter([], 'x')), Admission.ADMITTED);
});
