// The client-facing listener: node:http in, router, forward to the upstream.
// A request reads `config.current` once and finishes on that config whatever
// happens to `current` meanwhile (a hot swap is one assignment by the owner).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '@portico/shared';
import type { CompiledConfig, CompiledRoute, CompiledService, Peer, RouteMatch } from '../compile/types.js';
import { writeAnswer } from '../plugins/answer.js';
import { runAccess, runLog, type PluginChain } from '../plugins/chain.js';
import { PluginContext } from '../plugins/context.js';
import type { AccessResult } from '../plugins/types.js';
import { pickBackend } from './backend-pick.js';
import { BodySource } from './body-source.js';
import { ProxyErrors } from './errors.js';
import { ForwardRequest, forwardClientClosed, type ForwardContext } from './forward.js';
import { upstreamRequestHeaders } from './headers.js';
import { Mirrors, type MirrorOptions } from './mirror.js';
import type { PickInput } from '../balancer/types.js';
import { pickPeer } from './peer.js';
import { applyHeaderEdits } from './plugin-edits.js';
import { parseTarget, type RequestTarget } from './request-target.js';
import { respondClientError, respondError } from './respond-error.js';
import { routeData } from './route-data.js';
import type { UpstreamPools } from './upstream-pools.js';
import { joinUpstreamPath, strippedPrefix } from './upstream-path.js';

export interface ProxyServerOptions {
  /** The config cell; the owner swaps `current`, requests read it once. */
  readonly config: { readonly current: CompiledConfig | null };
  readonly pools: UpstreamPools;
  /** For Via and Server (`portico/<version>`). */
  readonly softwareVersion: string;
  readonly log?: Logger;
  /** Idle time of a client keep-alive connection (ms). Kong/nginx: 60 s. */
  readonly keepAliveTimeout?: number;
  /** Time allowed to receive a request head (ms). nginx client_header_timeout: 60 s. */
  readonly headersTimeout?: number;
  /** Upstream failures, per attempt (metrics hook). */
  readonly onUpstreamError?: ForwardContext['onUpstreamError'];
  /** Bounds of request mirroring (route `mirror`). */
  readonly mirror?: MirrorOptions;
}

export interface ProxyServer {
  listen(host: string, port: number): Promise<{ port: number }>;
  /**
   * Stops accepting, closes idle keep-alive connections at once, lets
   * in-flight requests finish for up to `drainMs`, then destroys what is left.
   */
  close(drainMs: number): Promise<void>;
  /** Requests accepted and not yet finished. */
  inFlight(): number;
  /** Requests received since start, answered or not (Kong's nginx total_requests). */
  requests(): number;
  /** Client connections accepted since start. */
  connectionsAccepted(): number;
  /** Client connections open now. */
  connectionsOpen(): Promise<number>;
  /** The underlying server (tests, TLS wrapping later). */
  readonly server: Server;
  /** Shadow copies (route `mirror`): counters for metrics and tests. */
  readonly mirrors: Mirrors;
}

type ResponseWithKeepAlive = ServerResponse & { shouldKeepAlive: boolean };

const kPlugins = Symbol('portico.plugins');
type WithPlugins = ServerResponse & { [kPlugins]?: PluginContext | undefined };

/** The log phase, once the response is finished. */
function pluginResponseClosed(res: WithPlugins): void {
  const pctx = res[kPlugins];
  if (pctx === undefined) return;
  res[kPlugins] = undefined;
  // nginx logs 499 for a client that closed before any response started.
  pctx.status = res.headersSent ? res.statusCode : 499;
  runLog(pctx);
}
type SocketWithMessage = Socket & { _httpMessage?: unknown };

export function createProxyServer(opts: ProxyServerOptions): ProxyServer {
  const version = opts.softwareVersion;
  if (typeof version !== 'string' || version === '') throw new TypeError('softwareVersion must be a non-empty string');
  const serverName = `portico/${version}`;
  const ctx: ForwardContext = {
    pools: opts.pools,
    via: `1.1 ${serverName}`,
    server: serverName,
    ...(opts.onUpstreamError !== undefined ? { onUpstreamError: opts.onUpstreamError } : {}),
  };
  const requestVia = { '1.0': `1.0 ${serverName}`, '1.1': `1.1 ${serverName}` } as Record<string, string>;
  const config = opts.config;
  const log = opts.log;
  const mirrors = new Mirrors(opts.mirror);

  let inFlight = 0;
  let requests = 0;
  let accepted = 0;
  let forwardedPort = '';
  let listenPort = 0;
  let closing = false;
  let drained: (() => void) | null = null;
  let closed: Promise<void> = Promise.resolve();

  // The one 'close' listener of a response (`on`, not `once`: a response
  // closes once, and `once` would allocate a wrapper per request). It runs
  // what each stage of the request needs at the end, in the order they began.
  function onResponseClose(this: ServerResponse): void {
    inFlight--;
    pluginResponseClosed(this as WithPlugins);
    forwardClientClosed(this);
    if (closing) {
      // The response is done: its keep-alive connection must not wait for another request.
      server.closeIdleConnections();
      if (inFlight === 0 && drained !== null) drained();
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = performance.now();
    inFlight++;
    requests++;
    res.on('close', onResponseClose);
    if (closing) (res as ResponseWithKeepAlive).shouldKeepAlive = false;
    try {
      route(req, res, startedAt);
    } catch (err) {
      log?.error({ err }, 'proxy request failed');
      respondError(res, ProxyErrors.INTERNAL, serverName, startedAt);
    }
  }

  function route(req: IncomingMessage, res: ServerResponse, startedAt: number): void {
    const cfg = config.current; // read once: this request lives on this config
    if (cfg === null) return respondError(res, ProxyErrors.NO_CONFIG, serverName, startedAt);

    const headers = req.headers;
    const url = req.url ?? '/';
    const target = parseTarget(url, headers.host);
    if (target === null) return respondError(res, ProxyErrors.BAD_REQUEST, serverName, startedAt);
    const method = req.method ?? 'GET';

    const match = cfg.router.match({ method, host: target.host, path: target.normalized, normalized: true, headers, port: listenPort });
    if (match === null) return respondError(res, ProxyErrors.NO_ROUTE, serverName, startedAt);
    const r = match.route;
    const service = r.service;
    if (service === null) return respondError(res, ProxyErrors.NO_SERVICE, serverName, startedAt);

    // This listener is plain http; an https-only route asks for TLS (Kong's access phase).
    if (routeData(r).httpsOnly) {
      const code = r.httpsRedirectStatusCode;
      if (code === 426) {
        return respondError(res, ProxyErrors.HTTPS_REQUIRED, serverName, startedAt, ['connection', 'Upgrade', 'upgrade', 'TLS/1.2, HTTP/1.1']);
      }
      res.writeHead(code, ['location', `https://${target.host}${url.charCodeAt(0) === 47 ? url : target.path + target.query}`, 'server', serverName, 'content-length', '0']);
      res.end();
      return;
    }

    const chain = r.plugins?.http ?? null;
    if (chain === null) {
      const split = r.backends;
      // The fast path: no plugin to run, no split, no balancer to ask.
      if (split == null && service.upstream === null) return forward(req, res, r, service, service, match, target, startedAt, null, null);
      pickAndForward(req, res, r, service, match, target, startedAt, null);
      return;
    }
    withPlugins(req, res, cfg, r, service, match, target, startedAt, method, chain);
  }

  function withPlugins(
    req: IncomingMessage,
    res: ServerResponse,
    cfg: CompiledConfig,
    r: CompiledRoute,
    service: CompiledService,
    match: RouteMatch,
    target: RequestTarget,
    startedAt: number,
    method: string,
    chain: PluginChain,
  ): void {
    const pctx = new PluginContext(req, cfg, r, service, method, target.path, target.query, req.socket.remoteAddress ?? '', startedAt);
    (res as WithPlugins)[kPlugins] = pctx; // its log phase runs from onResponseClose
    const result = runAccess(pctx, chain);
    if (result === undefined) return afterAccess(req, res, r, service, match, target, startedAt, pctx, undefined);
    if (!(result instanceof Promise)) return writeAnswer(res, pctx, result, serverName);
    result.then(
      (answer) => afterAccess(req, res, r, service, match, target, startedAt, pctx, answer),
      (err: unknown) => {
        log?.error({ err, route_id: r.id }, 'plugin access phase failed');
        respondError(res, ProxyErrors.INTERNAL, serverName, startedAt);
      },
    );
  }

  function afterAccess(
    req: IncomingMessage,
    res: ServerResponse,
    r: CompiledRoute,
    service: CompiledService,
    match: RouteMatch,
    target: RequestTarget,
    startedAt: number,
    pctx: PluginContext,
    answer: AccessResult,
  ): void {
    if (answer !== undefined) return writeAnswer(res, pctx, answer, serverName);
    if (res.destroyed) return;
    // After the access phase, so a split hashing on the consumer sees the one auth identified.
    if (r.backends == null && service.upstream === null) return forward(req, res, r, service, service, match, target, startedAt, pctx, null);
    pickAndForward(req, res, r, service, match, target, startedAt, pctx);
  }

  /**
   * A split route's backend, then a balanced service's peer, both from one
   * PickInput per request: retries reuse it, and any sticky cookie either
   * pick generated goes into the response head (ForwardRequest writes it).
   */
  function pickAndForward(
    req: IncomingMessage,
    res: ServerResponse,
    r: CompiledRoute,
    service: CompiledService,
    match: RouteMatch,
    target: RequestTarget,
    startedAt: number,
    pctx: PluginContext | null,
  ): void {
    const input: PickInput = { req, clientIp: req.socket.remoteAddress ?? '', consumerId: pctx?.consumer?.id ?? null, setCookie: null, backendCookie: null, uriCaptures: match.uriCaptures ?? null };
    const split = r.backends;
    const picked = split == null ? service : pickBackend(split, input);
    const peer = pickPeer(picked, input);
    if (peer === null) return respondError(res, ProxyErrors.NO_PEER, serverName, startedAt, undefined);
    forward(req, res, r, picked, peer, match, target, startedAt, pctx, input);
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    r: CompiledRoute,
    service: CompiledService,
    peer: Peer,
    match: RouteMatch,
    target: RequestTarget,
    startedAt: number,
    pctx: PluginContext | null,
    pick: PickInput | null,
  ): void {
    const headers = req.headers;
    // The router matched (and matchedPath is a prefix of) the normalised
    // path, which is also what Kong forwards; it equals the raw path, same
    // string, unless the client sent %-escapes, dot segments or `//`.
    const normalized = target.normalized;
    const joined = joinUpstreamPath(service.path, r.stripPath, r.pathHandling, normalized, match.matchedPath);
    const path = normalized === target.path ? joined : escapePath(joined);
    let upstreamHeaders = upstreamRequestHeaders(req.rawHeaders, headers, {
      clientIp: req.socket.remoteAddress ?? '',
      proto: 'http',
      host: target.host,
      port: forwardedPort,
      path: target.path,
      prefix: strippedPrefix(r.stripPath, normalized, match.matchedPath),
      hostHeader: r.preserveHost && headers.host !== undefined ? headers.host : peer.hostHeader,
      via: requestVia[req.httpVersion] ?? `${req.httpVersion} ${serverName}`,
    });
    const mirror = r.mirror;
    if (pctx === null) {
      if (mirror != null && Mirrors.chosen(mirror)) {
        const body = shadow(req, r, match, target, normalized, target.query, upstreamHeaders, undefined, null, service.writeTimeout);
        new ForwardRequest(ctx, req, res, service, peer, path + target.query, upstreamHeaders, body ?? (hasBody(req) ? new BodySource(req, service.writeTimeout) : null), startedAt).withPickInput(pick).start();
        return;
      }
      const body = hasBody(req) ? new BodySource(req, service.writeTimeout) : null;
      new ForwardRequest(ctx, req, res, service, peer, path + target.query, upstreamHeaders, body, startedAt).withPickInput(pick).start();
      return;
    }
    // A plugin read the body (key_in_body): forward those bytes, or its rewrite of them.
    const buffered = pctx.upstreamBody ?? pctx.bodyBytes;
    if (pctx.upstreamEdits !== null || buffered !== null) upstreamHeaders = applyHeaderEdits(upstreamHeaders, pctx, buffered);
    const query = pctx.upstreamQuery ?? target.query;
    const sent = buffered !== null ? (buffered.length > 0 ? buffered : null) : null;
    const teed = mirror != null && Mirrors.chosen(mirror) ? shadow(req, r, match, target, normalized, query, upstreamHeaders, buffered !== null ? sent : undefined, pctx.consumer?.id ?? null, service.writeTimeout) : null;
    const body = buffered !== null ? sent : (teed ?? (hasBody(req) ? new BodySource(req, service.writeTimeout) : null));
    new ForwardRequest(ctx, req, res, service, peer, path + query, upstreamHeaders, body, startedAt, pctx).withPickInput(pick).start();
  }

  /**
   * Sends the shadow copy of a request about to be forwarded. `buffered` is
   * the body when it is already in memory (null: none); undefined means the
   * client's body is still to be read, and then the BodySource to forward
   * with is returned (it tees into the copy). Never throws into the request.
   */
  function shadow(
    req: IncomingMessage,
    r: CompiledRoute,
    match: RouteMatch,
    target: RequestTarget,
    normalized: string,
    query: string,
    upstreamHeaders: string[],
    buffered: Buffer | null | undefined,
    consumerId: string | null,
    writeTimeout: number,
  ): BodySource | null {
    const m = r.mirror!;
    const mirrorService = m.service;
    const peer = pickPeer(mirrorService, { req, clientIp: req.socket.remoteAddress ?? '', consumerId, setCookie: null });
    if (peer === null) {
      mirrors.stats.dropped++;
      return null;
    }
    const joined = joinUpstreamPath(mirrorService.path, r.stripPath, r.pathHandling, normalized, match.matchedPath);
    const headers = upstreamHeaders.slice();
    if (!(r.preserveHost && req.headers.host !== undefined)) {
      for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'host') headers[i + 1] = peer.hostHeader;
    }
    const copy = { mirror: m, peer, method: req.method ?? 'GET', path: (normalized === target.path ? joined : escapePath(joined)) + query, headers };
    if (buffered !== undefined) {
      mirrors.send(copy, buffered);
      return null;
    }
    if (!hasBody(req)) {
      mirrors.send(copy, null);
      return null;
    }
    return mirrors.sendStreaming(copy, req, writeTimeout);
  }

  const server = createServer(
    {
      keepAliveTimeout: opts.keepAliveTimeout ?? 60_000,
      headersTimeout: opts.headersTimeout ?? 60_000,
      // A whole-request deadline would cut long uploads and downloads; the
      // upstream timeouts and headersTimeout bound what matters.
      requestTimeout: 0,
    },
    handle,
  );

  server.on('connection', () => {
    accepted++;
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? '';
    // A response already on this socket, or nothing to talk to: just close.
    if (code === 'ECONNRESET' || !socket.writable || (socket as SocketWithMessage)._httpMessage) {
      socket.destroy();
      return;
    }
    const entry = code === 'HPE_HEADER_OVERFLOW' ? ProxyErrors.HEADER_TOO_LARGE : ProxyErrors.BAD_REQUEST;
    respondClientError(socket, entry, serverName);
  });

  return {
    server,
    mirrors,
    inFlight: () => inFlight,
    requests: () => requests,
    connectionsAccepted: () => accepted,
    connectionsOpen: () => new Promise((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n))),

    listen(host, port) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const bound = (server.address() as AddressInfo).port;
          listenPort = bound;
          forwardedPort = String(bound);
          resolve({ port: bound });
        });
      });
    },

    close(drainMs) {
      if (closing) return closed;
      closing = true;
      closed = new Promise<void>((resolve) => {
        // server.close() stops accepting; its callback fires once every connection is gone.
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        const waitForInFlight = new Promise<void>((done) => {
          if (inFlight === 0) return done();
          const timer = setTimeout(done, Math.max(0, drainMs));
          drained = () => {
            clearTimeout(timer);
            done();
          };
        });
        void waitForInFlight.then(() => {
          drained = null;
          server.closeAllConnections();
          // Shadow copies are fire-and-forget: a shutdown does not wait for them.
          return Promise.all([stopped, mirrors.close().catch(() => undefined)]);
        }).then(() => resolve());
      });
      return closed;
    },
  };
}

/**
 * Re-escapes what normalisation decoded (Kong escapes the upstream URI the
 * same way): anything outside RFC 3986's unreserved and reserved sets, `%`
 * kept because reserved characters stay encoded after normalising.
 */
function escapePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!*'();:@&=+$,/?#[\]%]/gu, encodeURIComponent);
}

/** Whether the request carries a body (RFC 9112 §6.3): a Transfer-Encoding or a non-zero Content-Length. */
function hasBody(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  const cl = h['content-length'];
  return cl !== undefined && cl !== '0';
}
