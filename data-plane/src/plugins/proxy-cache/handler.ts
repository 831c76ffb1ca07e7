// proxy-cache, memory strategy (Kong 3.x kong/plugins/proxy-cache/handler.lua).
// Access: bypass uncacheable requests, answer hits from the store, mark
// misses. Response: decide from the upstream head whether the response is
// cacheable; if so, tee the body into a buffer as it streams to the client
// (the client never waits for the cache) and store it when it completes.
// Uncacheable responses are never buffered.
import type { ProxyCacheConfig } from '@portico/shared';
import type { PluginContext } from '../context.js';
import type { AccessResult, BodyTap, MessageAnswer, PluginEnv, PluginHandlers, PluginInstance, RawAnswer, ResponseHead, RouteBinding } from '../types.js';
import { cacheKey, headerPart, queryPart } from './cache-key.js';
import { contentTypeMatches, directiveSeconds, parseDirectives, parseMediaType, resourceTtl, type Directives, type MediaType } from './cacheability.js';
import type { CachedResponse, MemoryCacheStore } from './memory-store.js';

/** Never stored, never replayed (RFC 9110 §7.6.1, plus framing, which we redo). */
const NOT_STORED = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade', 'content-length', 'via', 'age', 'x-cache-status', 'x-cache-key', 'x-portico-upstream-latency', 'x-portico-proxy-latency']);

const ONLY_IF_CACHED_MISS: MessageAnswer = Object.freeze({ kind: 'message', status: 504, message: 'Gateway Timeout' });

interface Prepared {
  readonly config: ProxyCacheConfig;
  readonly methods: ReadonlySet<string>;
  readonly codes: ReadonlySet<number>;
  readonly types: readonly MediaType[];
  readonly varyHeaders: readonly { readonly name: string; readonly lower: string }[];
  readonly store: MemoryCacheStore;
  readonly now: () => number;
  readonly showStatus: boolean;
  readonly showKey: boolean;
  readonly showAge: boolean;
  readonly pluginNamespace: string;
}

/** Per-request state between access and response: the key, and Miss or Refresh. */
interface Pending {
  readonly key: string;
  readonly status: 'Miss' | 'Refresh';
}

export function createProxyCache(c: ProxyCacheConfig, env: PluginEnv): PluginInstance {
  const p: Prepared = {
    config: c,
    methods: new Set(c.request_method),
    codes: new Set(c.response_code),
    types: c.content_type.map(parseMediaType).filter((t): t is MediaType => t !== null),
    varyHeaders: (c.vary_headers ?? []).map((name) => ({ name, lower: name.toLowerCase() })),
    store: env.runtime.cache(c.memory.dictionary_name, c.memory.max_bytes),
    now: env.runtime.now,
    showStatus: c.response_headers['X-Cache-Status'],
    showKey: c.response_headers['X-Cache-Key'],
    showAge: c.response_headers.age,
    pluginNamespace: `${env.pluginId}|${env.configDigest}`,
  };
  // Unbound handlers serve nothing: a route always binds (its id is part of the key).
  return { handlers: {}, bindRoute: (route) => new ProxyCacheHandlers(p, route) };
}

class ProxyCacheHandlers implements PluginHandlers {
  /** The runtime state this handler owns; entries of other namespaces are pruned on swap. */
  readonly namespace: string;

  constructor(
    readonly p: Prepared,
    route: RouteBinding,
  ) {
    this.namespace = `${p.pluginNamespace}|${route.routeId}|${route.routeDigest}`;
  }

  access(ctx: PluginContext): AccessResult {
    const p = this.p;
    const c = p.config;
    const reqCc = c.cache_control ? parseDirectives(ctx.headers['cache-control']) : undefined;
    if (!p.methods.has(ctx.method) || (reqCc !== undefined && (reqCc['no-store'] !== undefined || reqCc['no-cache'] !== undefined || ctx.headers.authorization !== undefined))) {
      if (p.showStatus) ctx.addResponseHeader('X-Cache-Status', 'Bypass');
      return undefined;
    }
    const path = c.ignore_uri_case ? ctx.path.toLowerCase() : ctx.path;
    const key = cacheKey(this.namespace, ctx.consumer?.id ?? null, ctx.method, path, ctx.query === '' ? '' : queryPart(ctx.queryParams(), c.vary_query_params, c.ignore_uri_case), headerPart(ctx.headers, p.varyHeaders));
    if (p.showKey) ctx.addResponseHeader('X-Cache-Key', key);

    const hit = p.store.fetch(key);
    if (hit === undefined) {
      if (reqCc !== undefined && reqCc['only-if-cached'] !== undefined) return ONLY_IF_CACHED_MISS;
      return this.#pending(ctx, key, 'Miss');
    }
    const age = (p.now() - hit.storedAt) / 1000;
    if (reqCc !== undefined) {
      const maxAge = directiveSeconds(reqCc, 'max-age');
      const maxStale = directiveSeconds(reqCc, 'max-stale');
      const minFresh = directiveSeconds(reqCc, 'min-fresh');
      if ((maxAge !== undefined && age > maxAge) || (maxStale !== undefined && age - hit.ttl > maxStale) || (minFresh !== undefined && hit.ttl - age < minFresh)) {
        return this.#pending(ctx, key, 'Refresh');
      }
    } else if (age > c.cache_ttl) {
      // Stored for up to storage_ttl, served for cache_ttl.
      return this.#pending(ctx, key, 'Refresh');
    }
    return this.#hit(hit, age);
  }

  #pending(ctx: PluginContext, key: string, status: Pending['status']): undefined {
    ctx.setState(this, { key, status } satisfies Pending);
    return undefined;
  }

  #hit(hit: CachedResponse, age: number): RawAnswer {
    const p = this.p;
    const headers = [...hit.headers, 'content-length', String(hit.body.length)];
    if (p.showAge) headers.push('age', String(Math.floor(age)));
    if (p.showStatus) headers.push('X-Cache-Status', 'Hit');
    return { kind: 'raw', status: hit.status, headers, body: hit.body };
  }

  response(ctx: PluginContext, head: ResponseHead): void {
    const pending = ctx.getState<Pending>(this);
    if (pending === undefined) return;
    const p = this.p;
    const c = p.config;
    const now = p.now();
    let contentType: string | undefined;
    let cacheControl: string | undefined;
    let expires: string | undefined;
    let multipleTypes = false;
    const raw = head.raw;
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
      if (name === 'content-type') {
        multipleTypes = contentType !== undefined;
        contentType = (raw[i + 1] as Buffer).toString('latin1');
      } else if (name === 'cache-control') {
        const v = (raw[i + 1] as Buffer).toString('latin1');
        cacheControl = cacheControl === undefined ? v : `${cacheControl}, ${v}`;
      } else if (name === 'expires') expires = (raw[i + 1] as Buffer).toString('latin1');
    }
    let ttl = c.cache_ttl;
    let cacheable = p.codes.has(head.status) && !multipleTypes && contentTypeMatches(p.types, contentType);
    if (cacheable && c.cache_control) {
      const cc: Directives = parseDirectives(cacheControl);
      ttl = resourceTtl(cc, expires, now);
      if (cc['private'] !== undefined || cc['no-store'] !== undefined || cc['no-cache'] !== undefined || ttl <= 0) cacheable = false;
    }
    if (!cacheable) {
      if (p.showStatus) ctx.addResponseHeader('X-Cache-Status', 'Bypass');
      return;
    }
    if (p.showStatus) ctx.addResponseHeader('X-Cache-Status', pending.status);
    const storageTtl = c.storage_ttl ?? ttl;
    ctx.tap = new CacheTap(p.store, this.namespace, pending.key, head, ttl, storageTtl, now);
  }
}

/** Collects a cacheable body as it streams; stores it only if it arrived whole and fits. */
class CacheTap implements BodyTap {
  #chunks: Buffer[] | null = [];
  #size = 0;

  constructor(
    readonly store: MemoryCacheStore,
    readonly namespace: string,
    readonly key: string,
    readonly head: ResponseHead,
    readonly ttl: number,
    readonly storageTtl: number,
    readonly storedAt: number,
  ) {}

  data(chunk: Buffer): void {
    if (this.#chunks === null) return;
    this.#size += chunk.length;
    if (this.#size > this.store.maxEntryBytes) {
      this.#chunks = null; // too big for this store: stop buffering, keep streaming
      return;
    }
    this.#chunks.push(chunk);
  }

  end(complete: boolean): void {
    const chunks = this.#chunks;
    this.#chunks = null;
    if (!complete || chunks === null) return;
    const headers: string[] = [];
    const raw = this.head.raw;
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as Buffer).toString('latin1');
      if (!NOT_STORED.has(name.toLowerCase())) headers.push(name, (raw[i + 1] as Buffer).toString('latin1'));
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#size);
    this.store.store(this.key, this.namespace, { status: this.head.status, headers, body, storedAt: this.storedAt, ttl: this.ttl }, this.storageTtl);
  }
}
