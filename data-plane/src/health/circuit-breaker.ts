// Envoy's circuit breakers for one upstream on one data plane: concurrency
// limits, not failure counters (outlier ejection handles failing targets).
// HTTP/1.1 carries one request per connection, so "connections in use" is the
// number of requests dispatched to the upstream. Over max_connections a
// request waits as pending (FIFO); over max_pending_requests, or with
// max_requests in flight (waiting or not), it is answered 503 at once.
// Admission and release are two counter operations; only waiting allocates.
import type { BreakerLimits } from './config.js';

export interface BreakerWaiter {
  /** A connection slot is free: the request may go now. */
  admitted(): void;
}

export const Admission = { ADMITTED: 0, QUEUED: 1, TOO_MANY_REQUESTS: 2, TOO_MANY_PENDING: 3 } as const;
export type Admission = (typeof Admission)[keyof typeof Admission];

export class CircuitBreaker {
  #limits: BreakerLimits;
  /** Requests holding a connection slot. */
  active = 0;
  readonly #queue: BreakerWaiter[] = [];

  constructor(limits: BreakerLimits) {
    this.#limits = limits;
  }

  get pending(): number {
    return this.#queue.length;
  }

  get limits(): BreakerLimits {
    return this.#limits;
  }

  setLimits(limits: BreakerLimits): void {
    this.#limits = limits;
    this.#drain();
  }

  admit(w: BreakerWaiter): Admission {
    const l = this.#limits;
    if (this.active + this.#queue.length >= l.maxRequests) return Admission.TOO_MANY_REQUESTS;
    if (this.active < l.maxConnections && this.#queue.length === 0) {
      this.active++;
      return Admission.ADMITTED;
    }
    if (this.#queue.length >= l.maxPendingRequests) return Admission.TOO_MANY_PENDING;
    this.#queue.push(w);
    return Admission.QUEUED;
  }

  /** An admitted request finished: its slot goes to the oldest waiter. */
  release(): void {
    this.active--;
    this.#drain();
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
