// proxy-cache's memory strategy: responses in this process's heap, bounded by
// bytes with least-recently-used eviction (a Map iterates in insertion order;
// a hit re-inserts). Lives in the plugin runtime, outside any CompiledConfig,
// so entries survive config swaps; `retain` drops the entries of namespaces
// (plugin id + config digest + route) no config serves any more.

export interface CachedResponse {
  readonly status: number;
  /** Upstream headers as stored (hop-by-hop and framing removed), flat list. */
  readonly headers: readonly string[];
  readonly body: Buffer;
  /** When it was stored (ms). */
  readonly storedAt: number;
  /** Freshness TTL the response was stored with (s): Kong's res.ttl. */
  readonly ttl: number;
}

interface Entry {
  readonly value: CachedResponse;
  readonly namespace: string;
  readonly bytes: number;
  /** Storage deadline (ms): past it the entry is gone whatever its freshness. */
  readonly expiresAt: number;
}

/** Rough per-entry overhead so many tiny entries still count against the bound. */
const ENTRY_OVERHEAD = 256;

export class MemoryCacheStore {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #maxBytes: number;
  readonly #now: () => number;

  constructor(maxBytes: number, now: () => number = Date.now) {
    this.#maxBytes = maxBytes;
    this.#now = now;
  }

  /** The largest bound any config asked for this dictionary; shrinking evicts at once. */
  setMaxBytes(maxBytes: number): void {
    this.#maxBytes = maxBytes;
    this.#evict();
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** The biggest single body worth buffering for this store. */
  get maxEntryBytes(): number {
    return Math.max(0, Math.floor(this.#maxBytes / 4) - ENTRY_OVERHEAD);
  }

  fetch(key: string): CachedResponse | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    if (this.#now() >= e.expiresAt) {
      this.#delete(key, e);
      return undefined;
    }
    // Most recently used goes last.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.value;
  }

  store(key: string, namespace: string, value: CachedResponse, storageTtlSeconds: number): boolean {
    let bytes = ENTRY_OVERHEAD + value.body.length + key.length;
    for (const h of value.headers) bytes += h.length;
    if (bytes > this.#maxBytes || storageTtlSeconds <= 0) return false;
    const old = this.#entries.get(key);
    if (old !== undefined) this.#delete(key, old);
    this.#entries.set(key, { value, namespace, bytes, expiresAt: this.#now() + storageTtlSeconds * 1000 });
    this.#bytes += bytes;
    this.#evict();
    return true;
  }

  purge(key: string): void {
    const e = this.#entries.get(key);
    if (e !== undefined) this.#delete(key, e);
  }

  /** Drops every entry whose namespace is not in `live`. */
  retain(live: ReadonlySet<string>): void {
    for (const [key, e] of this.#entries) if (!live.has(e.namespace)) this.#delete(key, e);
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #evict(): void {
    if (this.#bytes <= this.#maxBytes) return;
    for (const [key, e] of this.#entries) {
      this.#delete(key, e);
      if (this.#bytes <= this.#maxBytes) return;
    }
  }

  #delete(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
  }
}
