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
import type { PickInput, TargetAddress } from '../balancer/types.js';
import type { CompiledService, CompiledUpstream, Peer } from '../compile/types.js';
import { Admission, type BreakerWaiter } from '../health/circuit-breaker.js';
import type { HealthRuntimeSource, UpstreamRuntime } from '../health/registry.js';
import type { TargetHealth } from '../health/target-health.js';
import { runResponse } from '../plugins/chain.js';
import type { PluginContext } from '../plugins/context.js';
import type { BodySource } from './body-source.js';
import { ProxyErrors } from './errors.js';
import { clientResponseHeaders } from './headers.js';
import { IDEMPOTENT, RETRYABLE, UpstreamStatusError, errorCode, failureOutcome, upstreamErrorEntry } from './upstream-failures.js';
import { peerFor } from './peer.js';
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
  readonly onUpstreamError?: (err: Error, service: CompiledService, attempt: number, final: boolean, peer: Peer) => void;
  /**
   * Health checks, outlier ejection and circuit breakers of balanced
   * services (data-plane/src/health/); `pools.health` when absent.
   */
  readonly health?: HealthRuntimeSource | null;
}

const OVERLOADED = ['x-portico-overloaded', 'true'] as const;

const kForward = Symbol('portico.forward');
type WithForward = ServerResponse & { [kForward]?: ForwardRequest | undefined };

function onResDrain(this: WithForward): void {
  this[kForward]?.drained();
}

/**
 * The client response closed: the proxy server's one 'close' listener calls
 * this (a listener per request of our own would cost an add and a remove).
 */
export function forwardClientClosed(res: ServerResponse): void {
  (res as WithForward)[kForward]?.clientClosed();
}

class ClientGoneError extends Error {
  readonly code = 'PORTICO_CLIENT_GONE';
}

export class ForwardRequest implements Dispatcher.DispatchHandler, BreakerWaiter {
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
  #headersAt = 0;
  #attempt = 0;
  #abort: ((err?: Error) => void) | null = null;
  #resume: (() => void) | null = null;
  #done = false;
  #drainListener = false;

  // Balanced services only (service.upstream !== null); null otherwise.
  readonly #upstream: CompiledUpstream | null;
  #healthSource: HealthRuntimeSource | null = null;
  #rt: UpstreamRuntime | null = null;
  /** The address of this attempt; released exactly once per pick (#endAttempt). */
  #picked: TargetAddress | null;
  #attemptOpen: boolean;
  #th: TargetHealth | null = null;
  /** Addresses that failed this request: a retry goes elsewhere when it can. */
  #tried: string[] | null = null;
  #pickInput: PickInput | null = null;
  /** Holding a circuit-breaker slot (released in #finish). */
  #holdsSlot = false;
  #queued = false;

  /** undici called onConnect: the request was handed to a socket, so the upstream may have seen it. */
  #reached = false;
  #status = 0;
  /** A 502/503/504 being read and dropped before a retry. */
  #discarding = false;

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
    this.#upstream = service.upstream;
    // The proxy's pick: this request owns its release from here on.
    this.#picked = peer.address ?? null;
    this.#attemptOpen = this.#picked !== null;
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

  /**
   * The PickInput the proxy picked this request's backend and first peer
   * with: retries pick with the same one (a generated hash cookie stays the
   * same) and its cookies go into the response head.
   */
  withPickInput(input: PickInput | null): this {
    this.#pickInput = input;
    return this;
  }

  start(): void {
    const res = this.#res;
    res[kForward] = this;
    const u = this.#upstream;
    if (u !== null) {
      const source = this.#ctx.health ?? this.#ctx.pools.health;
      if (source !== null) {
        // Proxy latency ends where the breaker was asked, as before any queueing there.
        this.#firstDispatchAt = performance.now();
        this.#healthSource = source;
        const rt = (this.#rt = source.runtime(u));
        this.#th = this.#healthOf(rt, this.#peer);
        const admission = rt.health.breaker.admit(this);
        if (admission === Admission.QUEUED) {
          this.#queued = true;
          return;
        }
        if (admission !== Admission.ADMITTED) {
          this.#endAttempt(false);
          this.#fail(
            admission === Admission.OPEN ? ProxyErrors.BREAKER_OPEN : admission === Admission.TOO_MANY_PENDING ? ProxyErrors.BREAKER_PENDING : ProxyErrors.BREAKER_REQUESTS,
            OVERLOADED,
          );
          return;
        }
        this.#holdsSlot = true;
      }
    }
    this.#dispatch();
  }

  /** The circuit breaker freed a slot for this waiting request. */
  admitted(): void {
    this.#queued = false;
    this.#holdsSlot = true;
    if (this.#done) {
      this.#releaseSlot();
      return;
    }
    this.#dispatch();
  }

  #dispatch(): void {
    this.#attempt++;
    this.#reached = false;
    this.#discarding = false;
    this.#status = 0;
    this.#headersAt = 0;
    const now = performance.now();
    this.#dispatchedAt = now;
    if (this.#firstDispatchAt === 0) this.#firstDispatchAt = now;
    if (this.#upstream !== null) {
      // Kong: a retry of a balanced service asks the balancer again, here for
      // another address; the first attempt re-picks only if its address went
      // unavailable since the pick (ejected or marked down meanwhile).
      const stale = this.#attempt === 1 && this.#th !== null && !this.#th.available;
      if (this.#attempt > 1 || stale) {
        this.#endAttempt(false);
        if (!this.#repick()) {
          this.#fail(ProxyErrors.NO_PEER);
          return;
        }
      }
    }
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
    this.#reached = true;
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx: Node already answered the client's Expect itself; nothing to relay.
    if (statusCode < 200) return true;
    const res = this.#res;
    if (this.#done || res.destroyed) return false;
    const now = performance.now();
    this.#headersAt = now;
    this.#status = statusCode;
    const th = this.#th;
    if (th !== null) this.#rt!.health.response(th, statusCode);
    if (statusCode >= 502 && statusCode <= 504 && this.#canRetryStatus()) {
      // Read the answer to its end (the connection stays reusable), then try another address.
      this.#discarding = true;
      return true;
    }
    this.#resume = resume;
    const upstreamLatency = Math.round(now - this.#dispatchedAt);
    const headers = clientResponseHeaders(rawHeaders, {
      via: this.#ctx.via,
      server: this.#ctx.server,
      upstreamLatency,
      proxyLatency: Math.round(this.#firstDispatchAt - this.#startedAt),
    });
    const plugins = this.#plugins;
    if (plugins !== null) {
      // For the log phase: this response is the upstream's (Kong's source "service").
      plugins.upstreamLatency = upstreamLatency;
      runResponse(plugins, { status: statusCode, raw: rawHeaders });
      if (plugins.responseHeaders !== null) headers.push(...plugins.responseHeaders);
    }
    // Cookies a sticky pick generated (balancer hash_on cookie, route backend
    // split): written into the head here because a raw-array writeHead drops
    // anything set on `res` before it.
    const pick = this.#pickInput;
    if (pick !== null) {
      if (pick.setCookie) headers.push('set-cookie', pick.setCookie);
      if (pick.backendCookie) headers.push('set-cookie', pick.backendCookie);
    }
    res.writeHead(statusCode, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#discarding) return true;
    this.#plugins?.tap?.data(chunk);
    // false = pause undici until the client drains (see drained()); the
    // 'drain' listener goes on only then, most responses never need it.
    if (this.#res.write(chunk)) return true;
    if (!this.#drainListener) {
      this.#drainListener = true;
      this.#res.on('drain', onResDrain);
    }
    return false;
  }

  onComplete(): void {
    if (this.#discarding) {
      this.#endAttempt(true);
      this.#abort = null;
      this.#ctx.onUpstreamError?.(new UpstreamStatusError(this.#status), this.#service, this.#attempt, false, this.#peer);
      if (this.#done || this.#res.destroyed) return;
      this.#dispatch();
      return;
    }
    this.#endAttempt(false);
    this.#finish();
    this.#plugins?.tap?.end(true);
    this.#res.end();
  }

  onError(err: Error): void {
    if (this.#done) return;
    const th = this.#th;
    const gone = err instanceof ClientGoneError;
    if (th !== null && !gone) this.#rt!.health.passive(th, failureOutcome(err));
    this.#endAttempt(!gone);
    const res = this.#res;
    const final = !this.#canRetry(err);
    this.#ctx.onUpstreamError?.(err, this.#service, this.#attempt, final, this.#peer);
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

  /**
   * Connection failures: retried for any method when the request never
   * reached a socket (refused, DNS, connect timeout); once undici handed it to
   * one the upstream may have seen it, so only an idempotent method goes
   * again. A body that started streaming is never sent twice.
   */
  #canRetry(err: Error): boolean {
    if (this.#attempt > this.#service.retries || this.#res.headersSent || this.#res.destroyed || this.#done) return false;
    const body = this.#body;
    if (body !== null && !Buffer.isBuffer(body) && body.started) return false;
    if (!RETRYABLE.has(errorCode(err))) return false;
    return !this.#reached || IDEMPOTENT.has(this.#req.method ?? '');
  }

  /**
   * 502/503/504: the upstream saw the request, so only an idempotent method
   * with no body or a buffered one is retried (Envoy's retry_on:
   * gateway-error); anything else is relayed as it came.
   */
  #canRetryStatus(): boolean {
    if (this.#attempt > this.#service.retries || this.#res.destroyed) return false;
    const body = this.#body;
    return (body === null || Buffer.isBuffer(body)) && IDEMPOTENT.has(this.#req.method ?? '');
  }

  /** The client's socket accepted what we wrote: let undici read on. */
  drained(): void {
    const resume = this.#resume;
    if (resume !== null) resume();
  }

  /** The client response closed: finished normally, or the client went away mid-request. */
  clientClosed(): void {
    if (this.#done) return;
    if (this.#queued) {
      this.#queued = false;
      this.#rt!.health.breaker.cancel(this);
    }
    this.#endAttempt(false);
    this.#finish();
    this.#plugins?.tap?.end(false);
    const abort = this.#abort;
    if (abort !== null) abort(new ClientGoneError('client went away'));
    if (this.#body !== null && !Buffer.isBuffer(this.#body)) this.#body.destroy();
  }

  /** The health of the address `peer` dials (a Map hit). */
  #healthOf(rt: UpstreamRuntime, peer: Peer): TargetHealth | null {
    const a = peer.address;
    if (a !== undefined) return rt.health.target(a.address, a.ip.includes(':') ? `[${a.ip}]` : a.ip, a.port, a.target.id, a.weight);
    // A peer without its address (picked by an older path): its target's own.
    const i = this.#service.peers?.indexOf(peer) ?? -1;
    return i >= 0 ? (rt.targets[i] ?? null) : null;
  }

  /**
   * Asks the balancer for another address than those that failed (when the
   * upstream has one), and points the Host header at it unless the route
   * preserves the client's. False when the upstream has no address at all.
   */
  #repick(): boolean {
    const u = this.#upstream!;
    const tried = (this.#tried ??= []);
    const prev = this.#picked;
    if (prev !== null && !tried.includes(prev.address)) tried.push(prev.address);
    else if (prev === null && this.#th !== null && !tried.includes(this.#th.address)) tried.push(this.#th.address);
    const input = (this.#pickInput ??= { req: this.#req, clientIp: this.#req.socket.remoteAddress ?? '', consumerId: this.#plugins?.consumer?.id ?? null, setCookie: null });
    const source = this.#healthSource;
    // Only tried addresses left: Kong retries them rather than fail.
    const next = (source !== null ? source.pickExcluding(u, input, tried) : null) ?? u.balancer.pick(input);
    if (next === null) return false;
    const peer = peerFor(this.#service, next);
    if (peer === null) {
      u.balancer.release?.(next, false, 0);
      return false;
    }
    this.#picked = next;
    this.#attemptOpen = true;
    const old = this.#peer;
    this.#peer = peer;
    if (this.#rt !== null) this.#th = this.#healthOf(this.#rt, peer);
    if (peer.hostHeader !== old.hostHeader) {
      const headers = this.#opts.headers as string[];
      for (let i = 0; i < headers.length; i += 2) {
        if (headers[i] === 'host') {
          if (headers[i + 1] === old.hostHeader) headers[i + 1] = peer.hostHeader;
          break;
        }
      }
    }
    return true;
  }

  /** The attempt on #picked is over: the balancer hears of it once. */
  #endAttempt(failed: boolean): void {
    if (!this.#attemptOpen) return;
    this.#attemptOpen = false;
    const a = this.#picked!;
    const end = this.#headersAt !== 0 ? this.#headersAt : performance.now();
    this.#upstream?.balancer.release?.(a, failed, this.#dispatchedAt === 0 ? 0 : end - this.#dispatchedAt);
  }

  /** The gateway answers itself (breaker open, no peer). */
  #fail(entry: ErrorEntry, extra?: readonly string[]): void {
    this.#finish();
    this.#plugins?.tap?.end(false);
    if (this.#body !== null && !Buffer.isBuffer(this.#body)) this.#body.destroy();
    const headers = this.#req.complete ? extra : [...(extra ?? []), 'connection', 'close'];
    respondError(this.#res, entry, this.#ctx.server, this.#startedAt, headers);
  }

  #releaseSlot(): void {
    if (!this.#holdsSlot) return;
    this.#holdsSlot = false;
    this.#rt!.health.breaker.release();
  }

  #finish(): void {
    this.#done = true;
    const plugins = this.#plugins;
    if (plugins !== null && this.#firstDispatchAt !== 0) plugins.proxyLatency = Math.round(this.#firstDispatchAt - this.#startedAt);
    const res = this.#res;
    res[kForward] = undefined;
    if (this.#drainListener) res.off('drain', onResDrain);
    this.#releaseSlot();
  }
}
