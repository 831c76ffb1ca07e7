// One undici Pool per upstream origin, shared by every config generation.
// A config swap must not drop warm keep-alive connections, so pools are keyed
// by what a connection depends on (origin + connect timeout, the only pool-
// level service setting) rather than by service id, and only `retain` closes
// the ones no config uses any more.
import type { EventEmitter } from 'node:events';
import { Pool } from 'undici';
import type { Peer } from '../compile/types.js';
import type { HealthRuntimeSource } from '../health/registry.js';

export interface UpstreamPoolsOptions {
  /**
   * Idle keep-alive time of an upstream connection (ms). Kong's
   * upstream_keepalive_idle_timeout is 60 s; undici still honours a shorter
   * `Keep-Alive: timeout=` hint from the upstream.
   */
  readonly keepAliveTimeout?: number;
  /** Upper bound for keepAliveTimeout when the upstream hints a longer one (ms). */
  readonly keepAliveMaxTimeout?: number;
  /** Max connections per origin; null = unbounded (nginx's default behaviour). */
  readonly connections?: number | null;
  /**
   * Health, outlier ejection and circuit breakers of balanced services, which
   * every request dispatched through these pools consults (the proxy reads
   * it here so one object carries all per-upstream runtime state).
   */
  readonly health?: HealthRuntimeSource | null;
}

const keyCache = new WeakMap<Peer, string>();

/** The pool key of a peer (a service, or one target of a balanced service), built once per compiled peer. */
function poolKey(peer: Peer): string {
  let key = keyCache.get(peer);
  if (key === undefined) {
    key = `${peer.origin}|${peer.connectTimeout}`;
    keyCache.set(peer, key);
  }
  return key;
}

export class UpstreamPools {
  readonly #pools = new Map<string, { readonly origin: string; readonly pool: Pool }>();
  readonly #opts: Required<Omit<UpstreamPoolsOptions, 'health'>>;
  readonly health: HealthRuntimeSource | null;
  #closed = false;

  constructor(opts: UpstreamPoolsOptions = {}) {
    const keepAliveTimeout = opts.keepAliveTimeout ?? 60_000;
    if (!Number.isFinite(keepAliveTimeout) || keepAliveTimeout <= 0) throw new RangeError('keepAliveTimeout must be a positive number of ms');
    this.#opts = {
      keepAliveTimeout,
      keepAliveMaxTimeout: Math.max(opts.keepAliveMaxTimeout ?? 600_000, keepAliveTimeout),
      connections: opts.connections ?? null,
    };
    this.health = opts.health ?? null;
  }

  /** The pool for a peer (a service or a target of one), created on first use. */
  get(service: Peer): Pool {
    const key = poolKey(service);
    const entry = this.#pools.get(key);
    if (entry !== undefined) return entry.pool;
    if (this.#closed) throw new Error('upstream pools are closed');
    const pool = new Pool(service.origin, {
      connections: this.#opts.connections,
      keepAliveTimeout: this.#opts.keepAliveTimeout,
      keepAliveMaxTimeout: this.#opts.keepAliveMaxTimeout,
      connectTimeout: service.connectTimeout,
      // Per-request timeouts are set on each dispatch from the service.
      headersTimeout: 0,
      bodyTimeout: 0,
      pipelining: 1,
    });
    // undici emits 'error' on a dispatcher only when a handler throws; the
    // request has already failed by then, and an unheard 'error' event would
    // take the whole process down with it.
    (pool as unknown as EventEmitter).on('error', noop);
    this.#pools.set(key, { origin: service.origin, pool });
    return pool;
  }

  /**
   * Closes the pools whose origin is not in `origins` (call after a swap with
   * the new config's service origins). Closing is graceful: requests still
   * running on the old config finish first.
   */
  retain(origins: ReadonlySet<string> | Iterable<string>): Promise<void> {
    const keep = origins instanceof Set ? (origins as ReadonlySet<string>) : new Set(origins);
    const closing: Promise<void>[] = [];
    for (const [key, entry] of this.#pools) {
      if (keep.has(entry.origin)) continue;
      this.#pools.delete(key);
      closing.push(entry.pool.close());
    }
    return Promise.all(closing).then(noop);
  }

  /** Number of live pools (for status and tests). */
  get size(): number {
    return this.#pools.size;
  }

  /** Closes every pool, letting running requests finish. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((e) => e.pool.close()));
  }

  /** Destroys every pool at once (shutdown deadline passed). */
  async destroy(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((e) => e.pool.destroy()));
  }
}

function noop(): void {}
