// Work on a large change that can pause. The loops that run once per resource
// (the push's set building and hash, the compile: buckets, route records,
// router, host index) are generators that yield every SLICE_ITEMS items. Run
// to the end at once they are the plain synchronous code, as edits and
// start-up run them; run in slices they hand the event loop back between
// chunks. A serving data plane takes a large change in slices (main.ts,
// cluster/client.ts): under wrk c64 a 10,000-route change held its thread for
// 1.1–1.2 s in one stretch, and every request in flight waited it out. Kong's
// router rebuild yields the same way; Envoy builds on its main thread while
// its workers serve.

/** Work that yields at its pause points and returns T. */
export type Steps<T> = Generator<void, T, void>;

/** Items a loop handles between pause points: small enough to keep a slice near its budget, large enough that pausing costs nothing measurable. */
export const SLICE_ITEMS = 64;

/**
 * How long a slice of a serving process's large compile may hold the thread.
 * Requests queued behind it wait about this long at most; the smaller it is,
 * the more turns of the loop the compile takes.
 */
export const SLICE_BUDGET_MS = 10;

/** Runs `steps` to the end without pausing: the synchronous compile. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/** The items of a (lazily decoded) iterable in an array, pausing every SLICE_ITEMS. */
export function* collect<T>(items: Iterable<T>): Steps<T[]> {
  const out: T[] = [];
  let n = 0;
  for (const item of items) {
    if (++n === SLICE_ITEMS) {
      n = 0;
      yield;
    }
    out.push(item);
  }
  return out;
}

export interface SliceStats {
  /** Event-loop turns the work took. */
  readonly slices: number;
  /** The longest stretch the work held the thread, in ms. */
  readonly longestMs: number;
}

/**
 * Runs `steps` for about `budgetMs` at a time, then lets the event loop run
 * (setImmediate: I/O callbacks, such as requests, go first) before the next
 * slice. Resolves with the result, or rejects with what the steps threw.
 */
export function runInSlices<T>(steps: Steps<T>, budgetMs: number): Promise<{ value: T; stats: SliceStats }> {
  return new Promise((resolve, reject) => {
    let slices = 0;
    let longestMs = 0;
    const slice = (): void => {
      slices++;
      const start = performance.now();
      const end = start + budgetMs;
      try {
        for (;;) {
          const r = steps.next();
          const now = performance.now();
          if (r.done === true) {
            longestMs = Math.max(longestMs, now - start);
            resolve({ value: r.value, stats: { slices, longestMs } });
            return;
          }
          if (now >= end) {
            longestMs = Math.max(longestMs, now - start);
            setImmediate(slice);
            return;
          }
        }
      } catch (err) {
        reject(err);
      }
    };
    // The first slice too starts on a fresh turn: the caller's own work (a push's decode) has had the thread already.
    setImmediate(slice);
  });
}
