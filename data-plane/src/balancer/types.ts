// The balancer contract: given a request, pick one target of an upstream.
// Every implementation (round-robin now; least-connections, consistent
// hashing, latency and health-aware ones later) runs balancer.contract.ts.
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
   * response. The proxy initialises it to null and reads it after `pick`.
   */
  setCookie?: string | null;
}

export interface Balancer {
  /** The target for this request, or null when no target can take it (Kong: 503). */
  pick(input: PickInput): CompiledTarget | null;
  /** A request to `target` finished (least-connections and latency balancers count these). */
  release?(target: CompiledTarget, failed: boolean, latencyMs: number): void;
}

export interface BalancerContext {
  /** The upstream's name: with an address, the key of its health. */
  readonly upstream: string;
  /** Skip what this says is unavailable (see data-plane/src/health/types.ts). */
  readonly health: HealthView;
}

/** Builds a balancer over an upstream's targets (weight 0 included: the balancer skips them). */
export type BalancerFactory = (targets: readonly CompiledTarget[], ctx?: BalancerContext) => Balancer;
