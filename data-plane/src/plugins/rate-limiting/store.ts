// Where rate-limit counters live. The `local` policy keeps them in this
// process; a Redis store (issue: rate-limiting redis policy) implements the
// same interface, and both run store.contract.ts. Counters are keyed by
// (plugin id, limit key, window), kept outside any CompiledConfig: a config
// swap leaves them alone, and `retain` drops only those of plugins that are gone.
import type { RateLimitWindow } from './windows.js';

export interface RateLimitStore {
  /**
   * Current count of (pluginId, key) in each window, same order; 0 for a
   * window with no counter (or an expired one). May answer synchronously.
   */
  usage(pluginId: string, key: string, windows: readonly RateLimitWindow[]): readonly number[] | Promise<readonly number[]>;
  /**
   * One atomic step of the access phase: reads the usage of every window and,
   * when no window is used up (`limits[i] - usage[i] > 0` for all i), adds
   * `amount` to each. Answers the usage seen before the step. A store shared
   * by several processes needs this to stay exact: a separate usage() then
   * increment() lets two processes both see the last free slot.
   */
  consume(pluginId: string, key: string, windows: readonly RateLimitWindow[], limits: readonly number[], amount: number): readonly number[] | Promise<readonly number[]>;
  /** Adds `amount` to the counter of every window; a counter lives until its window ends. */
  increment(pluginId: string, key: string, windows: readonly RateLimitWindow[], amount: number): void | Promise<void>;
  /** Drops the counters of plugins not in `pluginIds`. */
  retain(pluginIds: ReadonlySet<string>): void;
  close(): Promise<void>;
}

const SLOTS = 6;

/** One limit key's counters: per period slot, the window start it counts and the count. */
interface Counter {
  readonly starts: Float64Array;
  readonly counts: Float64Array;
  /** Latest window end seen: past it, every count is stale. */
  expires: number;
}

export interface LocalRateLimitStoreOptions {
  /** Clock (ms); tests pass their own. */
  readonly now?: () => number;
  /** How often expired counters are pruned (ms), amortised over increments. */
  readonly sweepEveryMs?: number;
}

/** The `local` policy: counters in this process's memory, exact for this node only. */
export class LocalRateLimitStore implements RateLimitStore {
  readonly #plugins = new Map<string, Map<string, Counter>>();
  readonly #now: () => number;
  readonly #sweepEvery: number;
  #nextSweep: number;
  /** Reused result array for usage(): callers read it before the next call. */
  readonly #out: number[] = [];

  constructor(opts: LocalRateLimitStoreOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#sweepEvery = opts.sweepEveryMs ?? 10_000;
    this.#nextSweep = this.#now() + this.#sweepEvery;
  }

  usage(pluginId: string, key: string, windows: readonly RateLimitWindow[]): readonly number[] {
    const counter = this.#plugins.get(pluginId)?.get(key);
    const out = this.#out;
    if (out.length !== windows.length) out.length = windows.length;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      out[i] = counter !== undefined && counter.starts[w.slot] === w.start ? counter.counts[w.slot]! : 0;
    }
    return out;
  }

  consume(pluginId: string, key: string, windows: readonly RateLimitWindow[], limits: readonly number[], amount: number): readonly number[] {
    const usage = this.usage(pluginId, key, windows);
    for (let i = 0; i < windows.length; i++) if (limits[i]! - usage[i]! <= 0) return usage;
    this.increment(pluginId, key, windows, amount);
    return usage;
  }

  increment(pluginId: string, key: string, windows: readonly RateLimitWindow[], amount: number): void {
    let byKey = this.#plugins.get(pluginId);
    if (byKey === undefined) this.#plugins.set(pluginId, (byKey = new Map()));
    let counter = byKey.get(key);
    if (counter === undefined) {
      counter = { starts: new Float64Array(SLOTS).fill(-1), counts: new Float64Array(SLOTS), expires: 0 };
      byKey.set(key, counter);
    }
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (counter.starts[w.slot] === w.start) counter.counts[w.slot]! += amount;
      else {
        counter.starts[w.slot] = w.start;
        counter.counts[w.slot] = amount;
      }
      if (w.end > counter.expires) counter.expires = w.end;
    }
    const now = this.#now();
    if (now >= this.#nextSweep) this.sweep(now);
  }

  /** Removes counters whose every window has ended. */
  sweep(now = this.#now()): void {
    this.#nextSweep = now + this.#sweepEvery;
    for (const [pluginId, byKey] of this.#plugins) {
      for (const [key, c] of byKey) if (c.expires <= now) byKey.delete(key);
      if (byKey.size === 0) this.#plugins.delete(pluginId);
    }
  }

  retain(pluginIds: ReadonlySet<string>): void {
    for (const pluginId of this.#plugins.keys()) if (!pluginIds.has(pluginId)) this.#plugins.delete(pluginId);
  }

  /** Limit keys held (tests, status). */
  get size(): number {
    let n = 0;
    for (const byKey of this.#plugins.values()) n += byKey.size;
    return n;
  }

  close(): Promise<void> {
    this.#plugins.clear();
    return Promise.resolve();
  }
}
