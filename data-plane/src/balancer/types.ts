// The balancer contract: given a request, pick one address of an upstream.
// A target (`host:port`, Kong's entity) has one address when its host is an
// IP and one per resolved IP when it is a name (dns/). Every algorithm —
// round-robin, least-connections, consistent-hashing, latency — implements
// Balancer and runs balancer.contract.ts.
import type { IncomingMessage } from 'node:http';
import type { CompiledTarget } from '../compile/types.js';
import type { HealthView } from '../health/types.js';

/** What a pick may depend on (hashing on consumer, header, cookie, path …). */
export interface PickInput {
  readonly req: IncomingMessage;
  readonly clientIp: string;
  readonly consumerId: string | null;
  /**
   * Set by a consistent-hashing balancer hashing on a cookie the request did
   * not carry (Kong sets it): a full `Set-Cookie` value the proxy adds to the
   * response. The proxy initialises it to null and reads it after `pick`;
   * a retry that passes the same input reuses the generated value.
   */
  setCookie?: string | null;
  /**
   * Set by a route's backend split hashing on a cookie the request did not
   * carry: a second full `Set-Cookie` value, for the split's own cookie.
   */
  backendCookie?: string | null;
  /**
   * Regex captures of the matched route path, for `hash_on: uri_capture`
   * (Kong's `router_matches.uri_captures`): named groups and numbered ones
   * (`"1"`, `"2"` …). Absent or null when the route matched without a regex.
   */
  readonly uriCaptures?: Readonly<Record<string, string | undefined>> | null;
}

/**
 * Runtime numbers of one dialled address, shared by every balancer built over
 * it: the object is keyed by the address string and handed from one build to
 * the next (config swap, DNS change), so a request released on an old
 * balancer still decrements the count the new one reads.
 */
export interface AddressState {
  /** Picks not yet released. */
  inflight: number;
  /** Latency EWMA (ms); meaningful once `sampled`. */
  ewma: number;
  /** When `ewma` was last updated (ms, the balancer's clock). */
  ewmaAt: number;
  sampled: boolean;
}

/** One balanced address: what a pick answers with. Built off the request path. */
export interface TargetAddress {
  readonly target: CompiledTarget;
  /** IP literal (IPv6 without brackets); the target's host name while its DNS is pending. */
  readonly ip: string;
  readonly port: number;
  /** Kong: every A/AAAA address of a name carries the target's full weight. */
  readonly weight: number;
  /** `ip:port` (`[v6]:port`) as dialled: the key of health and of `state`. */
  readonly address: string;
  readonly state: AddressState;
}

export interface Balancer {
  /** The address for this request, or null when none can take it (Kong: 503). */
  pick(input: PickInput): TargetAddress | null;
  /**
   * The attempt on `address` (returned by `pick`) finished: call exactly once
   * per pick. `failed` = no usable response (connect error, reset, timeout).
   */
  release?(address: TargetAddress, failed: boolean, latencyMs: number): void;
}

export interface BalancerContext {
  /** The upstream's name: with an address, the key of its health. */
  readonly upstream: string;
  /** Skip what this says is unavailable (see data-plane/src/health/types.ts). */
  readonly health: HealthView;
  /** Uniform [0, 1): injectable so tests are deterministic. Default Math.random. */
  readonly random?: () => number;
  /** Monotonic ms clock (EWMA decay). Default performance.now. */
  readonly now?: () => number;
}

/**
 * Builds a balancer over an upstream's addresses (weight 0 included: the
 * balancer skips them). With `previous` (the balancer it replaces, same
 * upstream) it carries over what it can: round-robin position, ring, slow-start.
 */
export type BalancerFactory = (addresses: readonly TargetAddress[], ctx: BalancerContext, previous?: Balancer) => Balancer;
