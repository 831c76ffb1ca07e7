// Bounds the memory of a fan-out. gRPC serializes each message into a buffer
// of its own per stream and holds it until the peer's flow control lets it
// out, so 100 nodes asking for a large snapshot at once would hold 100 copies.
// A large push therefore asks for a share of a byte budget first and gives it
// back once gRPC has handed its bytes to the socket; requests beyond the budget
// wait in arrival order. Small pushes (deltas) never ask, so they are never
// queued behind large ones.

export interface FanOutOptions {
  /** Bytes of large pushes that may be in flight at once. One push always fits, however large. */
  maxBytes: number;
  /** A grant not given back after this long is released anyway (a stalled peer must not block the rest). */
  holdMs: number;
  /** Told when a grant had to be released by the timer. */
  onExpired?: () => void;
}

interface Waiter {
  bytes: number;
  start: (done: () => void) => void;
}

export class FanOutLimiter {
  private inFlight = 0;
  private grants = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly opts: FanOutOptions) {}

  /** Bytes granted and not yet given back. */
  get bytesInFlight(): number {
    return this.inFlight;
  }

  /** Requests waiting for budget. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Calls `start(done)` once `bytes` fit the budget (synchronously when they do
   * now); `start`'s caller calls `done` when its bytes are written. Returns a
   * cancel function, safe to call any time: before the grant it withdraws the
   * request, after it is `done`.
   */
  acquire(bytes: number, start: (done: () => void) => void): () => void {
    let release: (() => void) | null = null;
    let cancelled = false;
    const waiter: Waiter = {
      bytes,
      start: (done) => {
        release = done;
        start(done);
      },
    };
    this.queue.push(waiter);
    this.drain();
    return () => {
      if (cancelled) return;
      cancelled = true;
      if (release) return release();
      const i = this.queue.indexOf(waiter);
      if (i >= 0) this.queue.splice(i, 1);
      // A withdrawn head may have been what blocked the ones behind it.
      this.drain();
    };
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (this.grants > 0 && this.inFlight + next.bytes > this.opts.maxBytes) return;
      this.queue.shift();
      this.grant(next);
    }
  }

  private grant(w: Waiter): void {
    this.inFlight += w.bytes;
    this.grants++;
    let given = false;
    const done = (): void => {
      if (given) return;
      given = true;
      clearTimeout(timer);
      this.inFlight -= w.bytes;
      this.grants--;
      this.drain();
    };
    const timer = setTimeout(() => {
      if (given) return;
      this.opts.onExpired?.();
      done();
    }, this.opts.holdMs);
    timer.unref();
    w.start(done);
  }
}
