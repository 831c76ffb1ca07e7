// State plugins keep across config generations: rate-limit counters, cached
// responses and metrics. One PluginRuntime per data-plane process; compile
// hands it to every factory, and after each swap `retain` prunes what no
// plugin of the new config owns (keys are stable identities: plugin id,
// namespace). Metric series are never pruned: a counter must not go back.
import type { Logger } from '@portico/shared';
import { ProcessMetrics } from '../metrics/process-metrics.js';
import { MemoryCacheStore } from './proxy-cache/memory-store.js';
import { LocalRateLimitStore, type RateLimitStore } from './rate-limiting/store.js';

export interface PluginRuntimeOptions {
  readonly rateLimits?: RateLimitStore;
  readonly log?: Logger;
  readonly now?: () => number;
  /** The process's metrics (the prometheus plugin's families); a private set when absent. */
  readonly metrics?: ProcessMetrics;
}

export class PluginRuntime {
  readonly rateLimits: RateLimitStore;
  readonly log: Logger | undefined;
  readonly now: () => number;
  readonly metrics: ProcessMetrics;
  readonly #caches = new Map<string, MemoryCacheStore>();

  constructor(opts: PluginRuntimeOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.rateLimits = opts.rateLimits ?? new LocalRateLimitStore({ now: this.now });
    this.log = opts.log;
    this.metrics = opts.metrics ?? new ProcessMetrics();
  }

  /** The memory cache named `dictionary` (Kong's shared dict name), created on first use. */
  cache(dictionary: string, maxBytes: number): MemoryCacheStore {
    let store = this.#caches.get(dictionary);
    if (store === undefined) this.#caches.set(dictionary, (store = new MemoryCacheStore(maxBytes, this.now)));
    else if (store.maxBytes !== maxBytes) store.setMaxBytes(maxBytes);
    return store;
  }

  /** After a swap: drop counters of plugins that are gone and cache entries no route serves. */
  retain(pluginIds: ReadonlySet<string>, cacheNamespaces: ReadonlySet<string>): void {
    this.rateLimits.retain(pluginIds);
    this.metrics.retain(pluginIds);
    for (const store of this.#caches.values()) store.retain(cacheNamespaces);
  }

  async close(): Promise<void> {
    await this.rateLimits.close();
    this.#caches.clear();
  }
}
