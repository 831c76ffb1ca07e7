// One request's view for plugins (Kong's kong.request / kong.client /
// kong.service.request / kong.ctx.plugin in one object). Created only for
// routes that have plugins; everything optional is allocated on first use.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { CompiledConfig, CompiledConsumer, CompiledRoute, CompiledService } from '../compile/types.js';
import type { ChainEntry } from './chain.js';
import type { BodyTap } from './types.js';

export interface Credential {
  readonly id: string;
}

export class PluginContext {
  readonly req: IncomingMessage;
  readonly config: CompiledConfig;
  readonly route: CompiledRoute;
  readonly service: CompiledService;
  /** Upper-case method. */
  readonly method: string;
  /** Request path as received, without the query. */
  readonly path: string;
  /** Raw query with its `?`, or ''. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly clientIp: string;
  readonly startedAt: number;

  /** Set by an auth plugin (kong.client.authenticate). */
  consumer: CompiledConsumer | null = null;
  credential: Credential | null = null;

  /**
   * Upstream header edits in the order made, as [lower-case name, value]
   * pairs: a value sets (replaces), null removes, and for a name edited twice
   * the last edit wins. It may be a frozen list compiled ahead (an auth
   * plugin's consumer headers), shared until another edit copies it.
   */
  upstreamEdits: readonly (string | null)[] | null = null;
  /** Replaces the query sent upstream (with its `?`, or ''). */
  upstreamQuery: string | null = null;
  /** Replaces the request body sent upstream (a plugin read and rewrote it). */
  upstreamBody: Buffer | null = null;
  /** The whole request body, once a plugin read it (readBody); the proxy then forwards these bytes. */
  bodyBytes: Buffer | null = null;
  /** Headers added to whatever the client receives (upstream response or answer), flat list. */
  responseHeaders: string[] | null = null;
  /** Set in the response phase by a plugin that wants the body as it streams. */
  tap: BodyTap | null = null;

  // What the log phase reads about how the request went (Kong's kong.log.serialize()),
  // set by the proxy as it happens; numbers, so they cost no allocation.
  /** Status sent to the client, set when the response closes; 499 (nginx) when the client left before any. */
  status = 0;
  /** ms from sending the last attempt upstream to its response head; -1 unless the upstream's response reached the client (Kong's latencies.proxy). */
  upstreamLatency = -1;
  /** ms from receiving the request to dispatching it upstream; -1 when it never was (Kong's KONG_PROXY_LATENCY). */
  proxyLatency = -1;

  // Chain bookkeeping (chain.ts): the entries that ran, for the later phases.
  entries: readonly ChainEntry[] = [];
  ran = 0;
  earlier: readonly ChainEntry[] | null = null;
  earlierRan = 0;
  resolvedFor: CompiledConsumer | null = null;

  #ownEdits = false;
  #query: URLSearchParams | null = null;
  #state: Map<object, unknown> | null = null;
  #body: Promise<Buffer> | null = null;

  constructor(
    req: IncomingMessage,
    config: CompiledConfig,
    route: CompiledRoute,
    service: CompiledService,
    method: string,
    path: string,
    query: string,
    clientIp: string,
    startedAt: number,
  ) {
    this.req = req;
    this.config = config;
    this.route = route;
    this.service = service;
    this.method = method;
    this.path = path;
    this.query = query;
    this.headers = req.headers;
    this.clientIp = clientIp;
    this.startedAt = startedAt;
  }

  /** The parsed query (kong.request.get_query), parsed once per request on first use. */
  queryParams(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.query));
  }

  setUpstreamHeader(lowerName: string, value: string): void {
    this.#edit(lowerName, value);
  }

  clearUpstreamHeader(lowerName: string): void {
    this.#edit(lowerName, null);
  }

  /** Edits prepared ahead of the request ([lower-case name, value or null] pairs): shared, not copied, when they are the first. */
  editUpstreamHeaders(edits: readonly (string | null)[]): void {
    if (this.upstreamEdits === null) {
      this.upstreamEdits = edits;
      return;
    }
    for (let i = 0; i < edits.length; i += 2) this.#edit(edits[i] as string, edits[i + 1] ?? null);
  }

  #edit(lowerName: string, value: string | null): void {
    const list = this.upstreamEdits;
    if (list === null) {
      this.upstreamEdits = [lowerName, value];
      this.#ownEdits = true;
    } else if (this.#ownEdits) {
      (list as (string | null)[]).push(lowerName, value);
    } else {
      this.upstreamEdits = [...list, lowerName, value];
      this.#ownEdits = true;
    }
  }

  addResponseHeader(name: string, value: string): void {
    (this.responseHeaders ??= []).push(name, value);
  }

  /** Per-plugin request state (kong.ctx.plugin), keyed by the handlers object. */
  getState<T>(owner: object): T | undefined {
    return this.#state?.get(owner) as T | undefined;
  }

  setState(owner: object, value: unknown): void {
    (this.#state ??= new Map()).set(owner, value);
  }

  /**
   * Reads the whole request body once (kong.request.get_raw_body); the proxy
   * then forwards these bytes (or `upstreamBody` if a plugin replaced them).
   */
  readBody(): Promise<Buffer> {
    return (this.#body ??= new Promise<Buffer>((resolve, reject) => {
      const req = this.req;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.once('end', () => resolve((this.bodyBytes = Buffer.concat(chunks))));
      req.once('error', reject);
      req.once('aborted', () => reject(new Error('client aborted request body')));
    }));
  }
}
