// Consistent hashing (Kong's algorithm, Envoy's ring hash): the request's key
// (hash-key.ts: hash_on, then hash_fallback) picks a point on the ring; the
// address owning it serves. When that address is unavailable the walk goes on
// round the ring to the next available one, so only the keys of a down
// address move. A request without any key lands on a random point, as
// Envoy does (Kong would hash the empty string and send every keyless request
// to one address).
import { acquire, clockOf, randomOf, recordRelease } from './address-state.js';
import { NO_KEY, type HashKey } from './hash-key.js';
import { buildRing, pointOf, ringSignature, type Ring } from './ring.js';
import type { Balancer, BalancerContext, BalancerFactory, PickInput, TargetAddress } from './types.js';

export interface ConsistentHashingOptions {
  /** Kong's `slots`: the size of the ring's lookup table (at least 1000, as Kong). */
  readonly slots: number;
  readonly key: HashKey;
}

export class ConsistentHashingBalancer implements Balancer {
  readonly #ring: Ring;
  readonly #key: HashKey;
  readonly #ctx: BalancerContext;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(addresses: readonly TargetAddress[], ctx: BalancerContext, opts: ConsistentHashingOptions, previous?: Balancer) {
    this.#key = opts.key;
    this.#ctx = ctx;
    this.#random = randomOf(ctx);
    this.#now = clockOf(ctx);
    // Same addresses and weights: the previous ring's arrays are reused as they are.
    const old = previous instanceof ConsistentHashingBalancer ? previous.#ring : null;
    if (old !== null && old.signature === ringSignature(addresses, opts.slots)) {
      const byAddress = new Map(addresses.map((a) => [a.address, a] as const));
      this.#ring = { ...old, addresses: old.addresses.map((a) => byAddress.get(a.address) ?? a) };
    } else this.#ring = buildRing(addresses, opts.slots);
  }

  pick(input: PickInput): TargetAddress | null {
    const ring = this.#ring;
    const n = ring.hashes.length;
    if (n === 0) return null;
    const h = this.#key(input);
    const start = pointOf(ring, h === NO_KEY ? Math.floor(this.#random() * 2 ** 32) : h);
    const ctx = this.#ctx;
    const owners = ring.owners;
    const first = ring.addresses[owners[start]!]!;
    if (ctx.health.isAvailable(ctx.upstream, first.address)) return acquire(first);
    // Walk on round the ring, skipping the points of unavailable owners.
    for (let k = 1, i = start; k < n; k++) {
      i = i + 1 === n ? 0 : i + 1;
      const a = ring.addresses[owners[i]!]!;
      if (a !== first && ctx.health.isAvailable(ctx.upstream, a.address)) return acquire(a);
    }
    return null;
  }

  release(address: TargetAddress, failed: boolean, latencyMs: number): void {
    recordRelease(address.state, failed, latencyMs, this.#now());
  }
}

export const consistentHashing =
  (opts: ConsistentHashingOptions): BalancerFactory =>
  (addresses, ctx, previous) =>
    new ConsistentHashingBalancer(addresses, ctx, opts, previous);
