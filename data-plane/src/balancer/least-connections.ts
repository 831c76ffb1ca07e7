// Least-connections as power of two choices (Envoy's "least request"): draw
// two distinct addresses at random by weight and take the one with fewer
// requests in flight per unit of weight; a tie goes to the first draw. Idle,
// it spreads exactly by weight; under load, it steers away from whatever is
// slow to answer, without the herd a strict global minimum causes when every
// data plane sees the same counts. Kong compares (in-flight + 1) / weight over
// a heap; the draw replaces the heap, so a pick is O(log n) and allocates nothing.
import { acquire, clockOf, randomOf, recordRelease } from './address-state.js';
import type { Balancer, BalancerContext, BalancerFactory, PickInput, TargetAddress } from './types.js';
import { WeightTable } from './weights.js';

export class LeastConnectionsBalancer implements Balancer {
  readonly #table: WeightTable;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(addresses: readonly TargetAddress[], ctx: BalancerContext) {
    this.#table = new WeightTable(addresses, ctx);
    this.#random = randomOf(ctx);
    this.#now = clockOf(ctx);
  }

  pick(_input: PickInput): TargetAddress | null {
    const table = this.#table;
    const first = table.sampleAvailable(this.#random);
    if (first < 0) return null;
    const a = table.addresses[first]!;
    const second = table.size > 1 ? table.sampleAvailable(this.#random, first) : -1;
    if (second < 0) return acquire(a);
    const b = table.addresses[second]!;
    // Cross-multiplied: inflight(b)/w(b) < inflight(a)/w(a), without division.
    return acquire(b.state.inflight * a.weight < a.state.inflight * b.weight ? b : a);
  }

  release(address: TargetAddress, failed: boolean, latencyMs: number): void {
    recordRelease(address.state, failed, latencyMs, this.#now());
  }
}

export const createLeastConnections: BalancerFactory = (addresses, ctx) => new LeastConnectionsBalancer(addresses, ctx);
