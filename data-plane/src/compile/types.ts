// The contract between the compile step and the request path. compile()
// builds a CompiledConfig once per snapshot; a request reads `current` once
// and only ever calls what was prepared here. Everything is immutable.
import type { IncomingHttpHeaders } from 'node:http';
import type { Balancer, TargetAddress } from '../balancer/types.js';
import type { UpstreamAddressTable } from '../balancer/upstream-balancer.js';
import type { RoutePlugins } from '../plugins/chain.js';
import type { Identity } from '../plugins/identity.js';

/** Where one upstream request goes: what the connection pool and the Host header need. */
export interface Peer {
  /** `protocol://host:port`, the key of the connection pool. */
  readonly origin: string;
  readonly connectTimeout: number;
  /** Host header when the route does not preserve the client's. */
  readonly hostHeader: string;
  /**
   * For a balanced request: the address the balancer picked, which this peer
   * dials. The proxy releases it (balancer.release) and keys health and
   * passive checks by it; absent on a plain service.
   */
  readonly address?: TargetAddress;
}

/** One target of an upstream, parsed once (`host:port`, IPv6 in brackets). */
export interface CompiledTarget {
  readonly id: string;
  /** Position in the upstream's `targets`; the balancer answers with it. */
  readonly index: number;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** Kong's `target` as configured (`host:port`): the key of a target in health reports. */
  readonly target: string;
  /** The host is a DNS name: its addresses come from dns/ (an IP target is its own address). */
  readonly isName: boolean;
}

export interface CompiledUpstream {
  readonly id: string;
  readonly name: string;
  readonly hostHeader: string | null;
  /** Every target (weight 0 included), ordered by id: stable across compiles. */
  readonly targets: readonly CompiledTarget[];
  /** Runtime state kept across swaps while the upstream and its targets are unchanged. */
  readonly balancer: Balancer;
  /** Kong's algorithm the balancer runs. */
  readonly algorithm: 'round-robin' | 'least-connections' | 'consistent-hashing' | 'latency';
  /**
   * The same object as `balancer`, seen as its address table: what each
   * target resolves to now (health reports, DNS_ERROR) and the addresses
   * being balanced (connection-pool retention).
   */
  readonly addressTable: UpstreamAddressTable;
}

export interface CompiledConsumer {
  readonly id: string;
  readonly username: string | null;
  readonly customId: string | null;
}

export interface KeyAuthCredentialEntry {
  readonly credentialId: string;
  readonly consumer: CompiledConsumer;
  /** What authenticating with it sets on the request (consumer, credential, upstream headers), built once. */
  readonly identity: Identity;
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
  /**
   * A weighted split over two or more services (route `backends`); `service`
   * is then the first listed backend, whose plugins the route runs. null (or
   * absent, for routes built outside compile) when the route has one service.
   */
  readonly backends?: CompiledBackends | null;
  /** A shadow service that gets a fire-and-forget copy of a share of the requests. */
  readonly mirror?: CompiledMirror | null;
}

/** A route's split, laid out once (proxy/backend-pick.ts). */
export interface CompiledBackends {
  /** The backends' services, in the route's order. */
  readonly services: readonly CompiledService[];
  /** bucket → index into `services` (BUCKETS entries). */
  readonly table: Uint8Array;
  readonly hashOn: 'none' | 'consumer' | 'ip' | 'header' | 'cookie';
  /** Lower-cased header name (hashOn 'header'). */
  readonly header: string | null;
  /** Cookie name (hashOn 'cookie'). */
  readonly cookie: string | null;
}

export interface CompiledMirror {
  readonly service: CompiledService;
  /** 0..100: the share of the route's requests copied. */
  readonly percentage: number;
}

export interface RouteMatch {
  readonly route: CompiledRoute;
  /**
   * The part of the request path the route's path matched (the prefix, or the
   * whole regex match), which strip_path removes; null when the route matched
   * without a path.
   */
  readonly matchedPath: string | null;
  /**
   * Groups of the route's regex path that matched (Kong's uri_captures:
   * numbered "1", "2" … and named); absent when the match had none.
   */
  readonly uriCaptures?: Readonly<Record<string, string | undefined>>;
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
  /**
   * True when `path` is already `normalizePath`'s output (the proxy
   * normalises once per request and hands the result to both the router and
   * the upstream path): the router then skips its own normalisation.
   */
  readonly normalized?: boolean;
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
