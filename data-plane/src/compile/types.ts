// The contract between the compile step and the request path. compile()
// builds a CompiledConfig once per snapshot; a request reads `current` once
// and only ever calls what was prepared here. Everything is immutable.
import type { IncomingHttpHeaders } from 'node:http';
import type { Balancer } from '../balancer/types.js';
import type { RoutePlugins } from '../plugins/chain.js';

/** Where one upstream request goes: what the connection pool and the Host header need. */
export interface Peer {
  /** `protocol://host:port`, the key of the connection pool. */
  readonly origin: string;
  readonly connectTimeout: number;
  /** Host header when the route does not preserve the client's. */
  readonly hostHeader: string;
}

/** One target of an upstream, parsed once (`host:port`, IPv6 in brackets). */
export interface CompiledTarget {
  readonly id: string;
  /** Position in the upstream's `targets`; the balancer answers with it. */
  readonly index: number;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
}

export interface CompiledUpstream {
  readonly id: string;
  readonly name: string;
  readonly hostHeader: string | null;
  /** Every target (weight 0 included), ordered by id: stable across compiles. */
  readonly targets: readonly CompiledTarget[];
  /** Runtime state kept across swaps while the upstream and its targets are unchanged. */
  readonly balancer: Balancer;
}

export interface CompiledConsumer {
  readonly id: string;
  readonly username: string | null;
  readonly customId: string | null;
}

export interface KeyAuthCredentialEntry {
  readonly credentialId: string;
  readonly consumer: CompiledConsumer;
}

/** Consumers and their credentials, indexed for the request path. */
export interface ConsumerTable {
  readonly byId: ReadonlyMap<string, CompiledConsumer>;
  readonly byUsername: ReadonlyMap<string, CompiledConsumer>;
  /**
   * key-auth credentials by sha256 (base64) of the key: the request path
   * hashes the presented key and looks the digest up, so neither the map's
   * string compare nor its hashing ever touches the secret itself.
   */
  readonly keyAuthByDigest: ReadonlyMap<string, KeyAuthCredentialEntry>;
}

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
  /** The upstream `host` names, when it names one: requests are balanced over its targets. */
  readonly upstream: CompiledUpstream | null;
  /** With an upstream: one peer per upstream target, same index. */
  readonly peers: readonly Peer[] | null;
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
  /** The plugins that apply to this route, per request protocol; null when none (the proxy's fast path). */
  readonly plugins: RoutePlugins | null;
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
  readonly upstreams: ReadonlyMap<string, CompiledUpstream>;
  readonly consumers: ConsumerTable;
  /** Ids of the enabled plugin instances (runtime stores prune state of the others). */
  readonly pluginIds: ReadonlySet<string>;
}
