// Helpers for the proxy's tests: real upstream servers on 127.0.0.1, hand-built
// compiled configs with a tiny router (a plain object implementing `match`),
// and a raw HTTP client. Not used by production code.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { CompiledConfig, CompiledRoute, CompiledService, MatchInput, RouteMatch, Router } from '../compile/types.js';
import { createProxyServer, type ProxyServer, type ProxyServerOptions } from './proxy-server.js';
import { UpstreamPools } from './upstream-pools.js';

export interface Upstream {
  readonly port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

function track(server: Server | TcpServer): { sockets: Set<Socket>; count: () => number } {
  const sockets = new Set<Socket>();
  let count = 0;
  server.on('connection', (s: Socket) => {
    count++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return { sockets, count: () => count };
}

export async function startUpstream(handler: RequestListener): Promise<Upstream> {
  const server = createServer({ keepAliveTimeout: 30_000 }, handler);
  const t = track(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: t.count,
    close: () =>
      new Promise<void>((r) => {
        for (const s of t.sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A TCP server that accepts and immediately resets every connection: each connection is one honest attempt. */
export async function startResetter(): Promise<Upstream> {
  const server = createTcpServer((s) => s.resetAndDestroy());
  const t = track(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: t.count,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function makeService(port: number, o: Partial<CompiledService> = {}): CompiledService {
  const host = o.host ?? '127.0.0.1';
  return {
    id: `svc-${port}`,
    name: null,
    protocol: 'http',
    host,
    port,
    path: null,
    origin: `http://${host}:${port}`,
    hostHeader: `${host}:${port}`,
    retries: 5,
    connectTimeout: 60_000,
    writeTimeout: 60_000,
    readTimeout: 60_000,
    enabled: true,
    upstream: null,
    peers: null,
    ...o,
  } as CompiledService;
}

export function makeRoute(service: CompiledService | null, o: Partial<CompiledRoute> = {}): CompiledRoute {
  return {
    id: `route-${Math.random().toString(36).slice(2)}`,
    name: null,
    service,
    protocols: new Set(['http', 'https']),
    stripPath: true,
    preserveHost: false,
    pathHandling: 'v0',
    httpsRedirectStatusCode: 426,
    requestBuffering: true,
    responseBuffering: true,
    plugins: null,
    ...o,
  } as CompiledRoute;
}

/** Longest-prefix router over (path prefix → route); an entry with prefix null matches any path without a path match. */
export function prefixRouter(entries: ReadonlyArray<{ readonly prefix: string | null; readonly route: CompiledRoute }>): Router {
  const sorted = [...entries].sort((a, b) => (b.prefix?.length ?? -1) - (a.prefix?.length ?? -1));
  return {
    match(input: MatchInput): RouteMatch | null {
      for (const e of sorted) {
        if (e.prefix === null) return { route: e.route, matchedPath: null };
        if (input.path.startsWith(e.prefix)) return { route: e.route, matchedPath: e.prefix };
      }
      return null;
    },
  };
}

export function makeConfig(entries: ReadonlyArray<{ readonly prefix: string | null; readonly route: CompiledRoute }>, version = 1): CompiledConfig {
  const services = new Map<string, CompiledService>();
  const routes = new Map<string, CompiledRoute>();
  for (const { route } of entries) {
    routes.set(route.id, route);
    if (route.service !== null) services.set(route.service.id, route.service);
  }
  return {
    version,
    hash: `h${version}`,
    router: prefixRouter(entries),
    services,
    routes,
    upstreams: new Map(),
    consumers: { byId: new Map(), byUsername: new Map(), keyAuthByDigest: new Map() },
    pluginIds: new Set(),
  };
}

export interface RunningProxy {
  readonly port: number;
  readonly proxy: ProxyServer;
  readonly pools: UpstreamPools;
  readonly cell: { current: CompiledConfig | null };
  close(): Promise<void>;
}

export async function startProxy(current: CompiledConfig | null, extra: Partial<ProxyServerOptions> = {}): Promise<RunningProxy> {
  const cell: { current: CompiledConfig | null } = { current };
  const pools = new UpstreamPools();
  const proxy = createProxyServer({ config: cell, pools, softwareVersion: '0.0.0-test', ...extra });
  const { port } = await proxy.listen('127.0.0.1', 0);
  return {
    port,
    proxy,
    pools,
    cell,
    close: async () => {
      await proxy.close(0);
      await pools.destroy();
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request on a fresh connection (no agent), body fully read. */
export function send(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers ?? {}, agent: false }, (res) => {
      collect(res).then((body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }), reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function collect(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

/** An upstream handler that answers with what it received, as JSON. */
export function echo(req: IncomingMessage, res: ServerResponse): void {
  void collect(req).then((body) => {
    const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders, body: body.toString() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(payload);
  });
}

export const json = <T = Record<string, unknown>>(r: Reply): T => JSON.parse(r.body.toString()) as T;
