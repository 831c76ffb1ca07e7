// Gives memory back after a large change. Applying a 10,000-route declarative
// config allocates ~280 MB on the way (parse, validate, plan, rows, snapshot);
// much of it outlives young-generation GCs because the import holds it until
// it commits, so it lands in the old generation as garbage. V8 collects that
// only when the old generation next fills up, and a process that then sits
// idle keeps it: measured on a control plane at 10,000 routes, 200 MiB
// resident where the live heap was 26 MB. Kong calls Lua's collectgarbage()
// after loading a declarative config for the same reason.
//
// So after a change, once the process has been quiet for a moment, one full
// collection runs if the used heap grew by more than a threshold since the
// last one. Continuous small writes never go quiet long enough to trigger it,
// and a collection that finds the growth was live data just raises the
// baseline. The control plane pokes it on every commit.
//
// A data plane pokes it after a large change only (its start, a full push, a
// declarative load), and measures something else: what the heap has
// committed but does not use. Its heap then holds little garbage (7 MB over
// 48 MB live at 10,000 routes), but the load grew V8's young generation to
// its maximum (32 MB, nearly all of it unused after), and only a
// memory-reducing collection like this one shrinks it again: measured,
// 143.6 → 111.1 MiB resident for a 130–450 ms pause (V8 runs two
// mark-compacts), after a compile that itself held the thread for 350+ ms.
// It leaves the old generation's limit near the live heap, so the next
// ordinary major GC comes sooner than it would have.
// The collection goes through node:inspector's in-process session (no port is
// opened): Node has no other way to ask for one without --expose-gc; the
// inspector's collectGarbage is V8's low-memory notification.
import { getHeapStatistics } from 'node:v8';
import type { Logger } from './logger.js';

export interface HeapReleaseOptions {
  /** Quiet time after the last commit before the heap is looked at (ms). Default 2000. */
  quietMs?: number;
  /** What the measure must reach to make a collection worthwhile (bytes): growth since the last one, or the unused heap itself. Default 32 MiB. */
  thresholdBytes?: number;
  /** Full collection; defaults to the inspector's HeapProfiler.collectGarbage. Resolves when done. */
  collect?: () => Promise<void>;
  /**
   * `used` (default): the growth of the used heap since the last collection,
   * garbage a large change left. `unused`: what the heap has committed beyond
   * what it uses, as it stands (a young generation a load grew; no baseline,
   * so a process that got its first config before it made this still sees
   * it). Tests pass their own reading, compared as `used` is.
   */
  measure?: 'used' | 'unused' | (() => number);
  /**
   * Whether the process may pause now. When it says no at the end of the
   * quiet time, the look is put off by another quietMs, for as long as it
   * says no: a data plane serving requests would hold every one of them for
   * the whole collection (300–480 ms measured under load), and its traffic
   * uses the young generation the collection would shrink anyway.
   */
  idle?: () => boolean;
  log?: Logger;
}

export class HeapRelease {
  readonly #quietMs: number;
  readonly #threshold: number;
  readonly #collect: () => Promise<void>;
  readonly #reading: () => number;
  readonly #log: Logger | undefined;
  readonly #idle: (() => boolean) | undefined;
  /** The reading after the last collection (0 for `unused`, which is compared as it stands). */
  #baseline: number;
  readonly #absolute: boolean;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #closed = false;
  /** Collections run so far. */
  collections = 0;

  constructor(opts: HeapReleaseOptions = {}) {
    this.#quietMs = opts.quietMs ?? 2000;
    this.#threshold = opts.thresholdBytes ?? 32 * 1024 * 1024;
    this.#collect = opts.collect ?? inspectorCollect;
    const m = opts.measure ?? 'used';
    this.#absolute = m === 'unused';
    this.#reading = typeof m === 'function' ? m : m === 'used' ? () => getHeapStatistics().used_heap_size : unusedHeap;
    this.#log = opts.log;
    this.#idle = opts.idle;
    this.#baseline = this.#absolute ? 0 : this.#reading();
  }

  /** Something was committed: look at the heap once commits have stopped for quietMs. */
  poke(): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#wait();
  }

  #wait(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#idle !== undefined && !this.#idle()) this.#wait();
      else void this.check();
    }, this.#quietMs);
    this.#timer.unref();
  }

  /** Collects now if the measure reached the threshold; resolves when done. */
  check(): Promise<void> {
    if (this.#running !== null) return this.#running;
    const before = this.#reading();
    if (this.#closed || before - this.#baseline < this.#threshold) return Promise.resolve();
    const started = performance.now();
    this.#running = this.#collect()
      .then(
        () => {
          this.collections++;
          const after = this.#reading();
          if (!this.#absolute) this.#baseline = after;
          this.#log?.info({ measure: this.#absolute ? 'unused' : 'used', heap_before_mb: mb(before), heap_after_mb: mb(after), rss_after_mb: mb(process.memoryUsage.rss()), gc_ms: Math.round(performance.now() - started) }, 'released memory after a large change');
        },
        (err: unknown) => this.#log?.warn({ err }, 'could not run a garbage collection'),
      )
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

const unusedHeap = (): number => {
  const h = getHeapStatistics();
  return h.total_heap_size - h.used_heap_size;
};

const mb = (bytes: number): number => Math.round(bytes / 104857.6) / 10;

/**
 * A full, synchronous collection through an in-process inspector session,
 * connected for this one call: a data plane serving traffic keeps no session
 * attached between the rare collections.
 */
async function inspectorCollect(): Promise<void> {
  const { Session } = await import('node:inspector');
  const s = new Session();
  s.connect();
  try {
    await new Promise<void>((resolve, reject) => s.post('HeapProfiler.collectGarbage', (err) => (err ? reject(err) : resolve())));
  } finally {
    s.disconnect();
  }
}
