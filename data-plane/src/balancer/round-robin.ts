// Smooth weighted round-robin (nginx's algorithm): each pick adds every
// available address's weight to its running score, takes the highest, and
// subtracts the total of this round's weights from the winner. Weights 3:1
// give a a b a, a a b a … — interleaved, never bursts of one address. An
// unavailable address sits the round out (its score is left as it was).
// A rebuild over the same addresses keeps the scores, so the sequence goes on
// where it was.
import { acquire, clockOf, recordRelease } from './address-state.js';
import type { Balancer, BalancerContext, BalancerFactory, PickInput, TargetAddress } from './types.js';
import { WeightTable } from './weights.js';

export class RoundRobinBalancer implements Balancer {
  readonly #table: WeightTable;
  readonly #current: Float64Array;
  readonly #now: () => number;

  constructor(addresses: readonly TargetAddress[], ctx: BalancerContext, previous?: Balancer) {
    this.#table = new WeightTable(addresses, ctx);
    this.#current = new Float64Array(this.#table.size);
    this.#now = clockOf(ctx);
    if (previous instanceof RoundRobinBalancer) {
      const old = new Map(previous.#table.addresses.map((a, i) => [a.address, previous.#current[i]!] as const));
      this.#table.addresses.forEach((a, i) => (this.#current[i] = old.get(a.address) ?? 0));
    }
  }

  pick(_input: PickInput): TargetAddress | null {
    const table = this.#table;
    const addresses = table.addresses;
    const n = addresses.length;
    const current = this.#current;
    let best = -1;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const a = addresses[i]!;
      if (!table.available(a)) continue;
      total += a.weight;
      current[i]! += a.weight;
      if (best < 0 || current[i]! > current[best]!) best = i;
    }
    if (best < 0) return null;
    current[best]! -= total;
    return acquire(addresses[best]!);
  }

  release(address: TargetAddress, failed: boolean, latencyMs: number): void {
    recordRelease(address.state, failed, latencyMs, this.#now());
  }
}

export const createRoundRobin: BalancerFactory = (addresses, ctx, previous) => new RoundRobinBalancer(addresses, ctx, previous);
