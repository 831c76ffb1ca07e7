// One proxied request: undici dispatches it on the service's pool and calls
// this handler, which writes the upstream response straight into the client's
// ServerResponse. One object per request, no closures: the listeners it needs
// on the response are module-level functions that find it through a symbol.
//
// It speaks undici's original handler interface (onConnect/onHeaders/onData/
// onComplete/onError). That is the one undici's core calls natively; the newer
// onRequestStart/onResponse* interface is adapted onto it by a wrapper that
// also parses every response header into an object, which we would throw away.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ErrorEntry } from '@portico/shared';
import type { Dispatcher } from 'undici';
import type { CompiledService, Peer } from '../compile/types.js';
import { runResponse } from '../plugins/chain.js';
import type { PluginContext } from '../plugins/context.js';
import type { BodySource } from './body-source.js';
import { ProxyErrors } from './errors.js';
import { clientResponseHeaders } from './headers.js';
import { pickPeer } from './peer.js';
import { respondError } from './respond-error.js';
import type { UpstreamPools } from './upstream-pools.js';

/** What every request of one proxy server shares. */
export interface ForwardContext {
  readonly pools: UpstreamPools;
  /** Via token for responses, `1.1 portico/<version>`. */
  readonly via: string;
  /** Server header value, `portico/<version>`. */
  readonly server: string;
  /** Called once per failed attempt and per final gateway error (metrics, logs); optional. */
  readonly onUpstreamError?: (err: Error, service: CompiledService, attempt: number, final: boolean) => void;
}

/**
 * Failures of the connection itself: nothing reached the upstream's
 * application, or it went away before answering. Only these are retried.
 */
const RETRYABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
]);

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'PORTICO_UPSTREAM_WRITE_TIMEOUT', 'ETIMEDOUT']);

const errorCode = (err: Error): string => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
};

/** Kong's status for an upstream failure: 504 for timeouts, 502 for the rest. */
export function upstreamErrorEntry(err: Error): ErrorEntry {
  const code = errorCode(err);
  if (TIMEOUTS.has(code)) return ProxyErrors.UPSTREAM_TIMEOUT;
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') return ProxyErrors.BAD_REQUEST;
  return ProxyErrors.BAD_GATEWAY;
}

const kForward = Symbol('portico.forward');
type WithForward = ServerResponse & { [kForward]?: ForwardRequest | undefined };

function onResDrain(this: WithForward): void {
  this[kForward]?.drained();
}
function onResClose(this: WithForward): void {
  this[kForward]?.clientClosed();
}

class ClientGoneError extends Error {
  readonly code = 'PORTICO_CLIENT_GONE';
}

export class ForwardRequest implements Dispatcher.DispatchHandler {
  readonly #ctx: ForwardContext;
  readonly #req: IncomingMessage;
  readonly #res: WithForward;
  readonly #service: CompiledService;
  #peer: Peer;
  /** Plugins of this request (response phase, body tap); null on the fast path. */
  readonly #plugins: PluginContext | null;
  readonly #opts: Dispatcher.DispatchOptions;
  readonly #body: BodySource | Buffer | null;
  readonly #startedAt: number;
  #firstDispatchAt = 0;
  #dispatchedAt = 0;
  #attempt = 0;
  #abort: ((err?: Error) => void) | null = null;
  #resume: (() => void) | null = null;
  #done = false;

  constructor(
    ctx: ForwardContext,
    req: IncomingMessage,
    res: ServerResponse,
    service: CompiledService,
    peer: Peer,
    path: string,
    headers: string[],
    body: BodySource | Buffer | null,
    startedAt: number,
    plugins: PluginContext | null = null,
  ) {
    this.#ctx = ctx;
    this.#req = req;
    this.#res = res as WithForward;
    this.#service = service;
    this.#peer = peer;
    this.#plugins = plugins;
    this.#body = body;
    this.#startedAt = startedAt;
    this.#opts = {
      path,
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body,
      // Kong's read_timeout bounds the wait for the response head and every gap between body chunks.
      headersTimeout: service.readTimeout,
      bodyTimeout: service.readTimeout,
      upgrade: null,
    };
  }

  start(): void {
    const res = this.#res;
    res[kForward] = this;
    res.on('drain', onResDrain);
    res.once('close', onResClose);
    this.#firstDispatchAt = performance.now();
    this.#dispatch();
  }

  #dispatch(): void {
    this.#attempt++;
    this.#dispatchedAt = performance.now();
    // Kong: a retry of a balanced service asks the balancer again.
    if (this.#attempt > 1 && this.#service.upstream !== null) this.#repick();
    let pool;
    try {
      pool = this.#ctx.pools.get(this.#peer);
    } catch (err) {
      this.onError(err as Error);
      return;
    }
    pool.dispatch(this.#opts, this);
  }

  // ── undici handler ────────────────────────────────────────────────────

  onConnect(abort: (err?: Error) => void): void {
    if (this.#done) {
      abort(new ClientGoneError('client went away'));
      return;
    }
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx: Node already answered the client's Expect itself; nothing to relay.
    if (statusCode < 200) return true;
    const res = this.#res;
    if (this.#done || res.destroyed) return false;
    const now = performance.now();
    this.#resume = resume;
    const headers = clientResponseHeaders(rawHeaders, {
      via: this.#ctx.via,
      server: this.#ctx.server,
      upstreamLatency: Math.round(now - this.#dispatchedAt),
      proxyLatency: Math.round(this.#firstDispatchAt - this.#startedAt),
    });
    const plugins = this.#plugins;
    if (plugins !== null) {
      runResponse(plugins, { status: statusCode, raw: rawHeaders });
      if (plugins.responseHeaders !== null) headers.push(...plugins.responseHeaders);
    }
    res.writeHead(statusCode, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#plugins?.tap?.data(chunk);
    // false = pause undici until the client drains (see drained()).
    return this.#res.write(chunk);
  }

  onComplete(): void {
    this.#finish();
    this.#plugins?.tap?.end(true);
    this.#res.end();
  }

  onError(err: Error): void {
    if (this.#done) return;
    const res = this.#res;
    const final = !this.#canRetry(err);
    this.#ctx.onUpstreamError?.(err, this.#service, this.#attempt, final);
    if (!final) {
      this.#abort = null;
      this.#dispatch();
      return;
    }
    this.#finish();
    this.#plugins?.tap?.end(false);
    if (res.headersSent) {
      // Mid-body failure: the status line is gone, so the only truthful
      // signal left is to cut the connection.
      res.destroy();
      return;
    }
    if (this.#body !== null && !Buffer.isBuffer(this.#body)) this.#body.destroy();
    // Unread request body left on the socket: the connection cannot carry another request.
    const extra = this.#req.complete ? undefined : ['connection', 'close'];
    respondError(res, upstreamErrorEntry(err), this.#ctx.server, this.#startedAt, extra);
  }

  // ── our side ──────────────────────────────────────────────────────────

  #canRetry(err: Error): boolean {
    return (
      this.#attempt <= this.#service.retries &&
      !this.#res.headersSent &&
      !this.#res.destroyed &&
      (this.#body === null || Buffer.isBuffer(this.#body) || !this.#body.started) &&
      RETRYABLE.has(errorCode(err))
    );
  }

  /** The client's socket accepted what we wrote: let undici read on. */
  drained(): void {
    const resume = this.#resume;
    if (resume !== null) resume();
  }

  /** The client response closed: finished normally, or the client went away mid-request. */
  clientClosed(): void {
    if (this.#done) return;
    this.#finish();
    this.#plugins?.tap?.end(false);
    const abort = this.#abort;
    if (abort !== null) abort(new ClientGoneError('client went away'));
    if (this.#body !== null && !Buffer.isBuffer(this.#body)) this.#body.destroy();
  }

  /** Asks the balancer again and points the Host header at the new peer (unless the route preserves the client's). */
  #repick(): void {
    const plugins = this.#plugins;
    const next = pickPeer(this.#service, this.#req, plugins?.consumer?.id ?? null);
    if (next === null || next === this.#peer) return;
    const old = this.#peer;
    this.#peer = next;
    const headers = this.#opts.headers as string[];
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] === 'host') {
        if (headers[i + 1] === old.hostHeader) headers[i + 1] = next.hostHeader;
        break;
      }
    }
  }

  #finish(): void {
    this.#done = true;
    const res = this.#res;
    res[kForward] = undefined;
    res.off('drain', onResDrain);
  }
}
