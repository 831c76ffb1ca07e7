// The contract between the compile step and the request path. compile()
// builds a CompiledConfig once per snapshot; a request reads `current` once
// and only ever calls what was prepared here. Everything is immutable.
import type { IncomingHttpHeaders } from 'node:http';

export interface CompiledService {
  readonly id: string;
  readonly name: string | null;
  readonly protocol: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** Service path, or null (Kong: upstream path is then the request path). */
  readonly path: string | null;
  /** `protocol://host:port`, the key of the connection pool. */
  readonly origin: string;
  /** Host header sent upstream when the route does not preserve the client's (host, plus :port when not default). */
  readonly hostHeader: string;
  readonly retries: number;
  readonly connectTimeout: number;
  readonly writeTimeout: number;
  readonly readTimeout: number;
  /** Kong: the routes of a disabled service are left out of the router. */
  readonly enabled: boolean;
}

export interface CompiledRoute {
  readonly id: string;
  readonly name: string | null;
  /** null when the route has no service: Kong answers 503 "no Service found with those values". */
  readonly service: CompiledService | null;
  readonly protocols: ReadonlySet<string>;
  readonly stripPath: boolean;
  readonly preserveHost: boolean;
  readonly pathHandling: 'v0' | 'v1';
  readonly httpsRedirectStatusCode: number;
  readonly requestBuffering: boolean;
  readonly responseBuffering: boolean;
}

export interface RouteMatch {
  readonly route: CompiledRoute;
  /**
   * The part of the request path the route's path matched (the prefix, or the
   * whole regex match), which strip_path removes; null when the route matched
   * without a path.
   */
  readonly matchedPath: string | null;
}

/** Request facts the router matches on, read once from the request. */
export interface MatchInput {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Host header without port, lower-case. */
  readonly host: string;
  /**
   * Request path without the query string, as received (not normalised). The
   * router normalises it as Kong does (`normalizePath` from `router/`), and
   * `matchedPath` is a prefix of that normalised path: strip it from
   * `normalizePath(path)`, which is also the path Kong forwards.
   */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /**
   * Port the request arrived on (the listener's port). Kong 3 matches a route
   * host with a port (`example.com:8000`) against it; when absent, such hosts
   * never match.
   */
  readonly port?: number;
  /** TLS SNI of an HTTPS request; absent for plain HTTP, where Kong ignores a route's `snis`. */
  readonly sni?: string;
}

export interface Router {
  match(input: MatchInput): RouteMatch | null;
}

export interface CompiledConfig {
  readonly version: number;
  readonly hash: string;
  readonly router: Router;
  readonly services: ReadonlyMap<string, CompiledService>;
  readonly routes: ReadonlyMap<string, CompiledRoute>;
}
