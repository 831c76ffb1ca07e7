// The circuit breaker of one upstream on one data plane. Two mechanisms:
//
// - Envoy's concurrency thresholds. HTTP/1.1 carries one request per
//   connection, so "connections in use" is the number of requests dispatched
//   to the upstream. Over max_connections a request waits as pending (FIFO);
//   over max_pending_requests, or with max_requests in flight (waiting or
//   not), it is answered 503 at once.
// - A failure-triggered breaker (consecutive_failures > 0): that many failed
//   attempts in a row (connection failure, timeout, 5xx) open it, and every
//   request is answered 503 at once for open_timeout. Then it is half-open:
//   one probe request goes through; its success closes the breaker, its
//   failure opens it again. Outlier ejection handles single failing targets;
//   this protects an upstream that is failing as a whole.
//
// Admission, outcome and release are counter operations; only waiting allocates.
import { performance } from 'node:perf_hooks';
import type { BreakerLimits } from './config.js';

export interface BreakerWaiter {
  /** A connection slot is free: the request may go now. */
  admitted(): void;
}

export const Admission = { ADMITTED: 0, QUEUED: 1, TOO_MANY_REQUESTS: 2, TOO_MANY_PENDING: 3, OPEN: 4 } as const;
export type Admission = (typeof Admission)[keyof typeof Admission];

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  #limits: BreakerLimits;
  /** Requests holding a connection slot. */
  active = 0;
  readonly #queue: BreakerWaiter[] = [];
  #state: BreakerState = 'closed';
  #failures = 0;
  #openUntil = 0;
  /** Half-open: the probe was let through and has not reported yet. */
  #probing = false;
  /** Times the breaker opened (for logs and tests). */
  opened = 0;

  constructor(
    limits: BreakerLimits,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.#limits = limits;
  }

  get state(): BreakerState {
    return this.#state;
  }

  get pending(): number {
    return this.#queue.length;
  }

  get limits(): BreakerLimits {
    return this.#limits;
  }

  setLimits(limits: BreakerLimits): void {
    this.#limits = limits;
    // Failure tripping turned off: nothing may stay refused on its word.
    if (limits.consecutiveFailures === 0) this.#close();
    this.#drain();
  }

  admit(w: BreakerWaiter): Admission {
    const l = this.#limits;
    if (this.#state !== 'closed') {
      if (this.#state === 'open') {
        if (this.now() < this.#openUntil) return Admission.OPEN;
        this.#state = 'half-open';
      }
      // Half-open: exactly one probe at a time.
      if (this.#probing) return Admission.OPEN;
      this.#probing = true;
    }
    if (this.active + this.#queue.length >= l.maxRequests) return Admission.TOO_MANY_REQUESTS;
    if (this.active < l.maxConnections && this.#queue.length === 0) {
      this.active++;
      return Admission.ADMITTED;
    }
    if (this.#queue.length >= l.maxPendingRequests) return Admission.TOO_MANY_PENDING;
    this.#queue.push(w);
    return Admission.QUEUED;
  }

  /**
   * What an attempt to the upstream showed: a connection failure, timeout or
   * 5xx (`failed`), or a usable answer. Counts only when failure tripping is on.
   */
  outcome(failed: boolean): void {
    const threshold = this.#limits.consecutiveFailures;
    if (threshold === 0) return;
    switch (this.#state) {
      case 'closed':
        if (!failed) this.#failures = 0;
        else if (++this.#failures >= threshold) this.#open();
        return;
      case 'half-open':
        if (failed) this.#open();
        else this.#close();
        return;
      case 'open':
        // Late answers of requests admitted before it opened change nothing.
        return;
    }
  }

  /** An admitted request finished: its slot goes to the oldest waiter. */
  release(): void {
    this.active--;
    // A probe that ended without an answer (client gone): the next request probes.
    if (this.#state === 'half-open') this.#probing = false;
    this.#drain();
  }

  #open(): void {
    this.#state = 'open';
    this.#openUntil = this.now() + this.#limits.openMs;
    this.#probing = false;
    this.#failures = 0;
    this.opened++;
  }

  #close(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#probing = false;
  }

  /** A waiter gave up (client went away) before it was admitted. */
  cancel(w: BreakerWaiter): void {
    const i = this.#queue.indexOf(w);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  #drain(): void {
    const q = this.#queue;
    while (q.length > 0 && this.active < this.#limits.maxConnections) {
      this.active++;
      q.shift()!.admitted();
    }
  }
}
