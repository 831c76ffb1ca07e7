// Latency (Kong's EWMA balancer): two distinct addresses drawn at random by
// weight, the one with the lower load-adjusted latency wins — its response
// time EWMA (fed by `release`) times (in-flight + 1), so a burst does not all
// land on the one fastest address. Scores within 10% are a tie, which goes to
// the first draw: equal latencies spread by weight. Exploration comes from
// the decay (address-state.ts): an address avoided for being slow is not
// sampled, its EWMA fades toward 0, it gets picked again and shows whether it
// recovered. A new address starts at the mean EWMA of the others (Kong's slow
// start), so it is neither flooded nor starved.
import { acquire, clockOf, decayedEwma, randomOf, recordRelease } from './address-state.js';
import type { Balancer, BalancerContext, BalancerFactory, PickInput, TargetAddress } from './types.js';
import { WeightTable } from './weights.js';

const TIE = 0.9;

export class LatencyBalancer implements Balancer {
  readonly #table: WeightTable;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(addresses: readonly TargetAddress[], ctx: BalancerContext) {
    this.#table = new WeightTable(addresses, ctx);
    this.#random = randomOf(ctx);
    this.#now = clockOf(ctx);
    this.#slowStart();
  }

  #slowStart(): void {
    const now = this.#now();
    let sum = 0;
    let count = 0;
    for (const a of this.#table.addresses) {
      if (!a.state.sampled) continue;
      sum += decayedEwma(a.state, now);
      count++;
    }
    if (count === 0) return;
    for (const a of this.#table.addresses) {
      if (a.state.sampled) continue;
      a.state.ewma = sum / count;
      a.state.ewmaAt = now;
      a.state.sampled = true;
    }
  }

  pick(_input: PickInput): TargetAddress | null {
    const table = this.#table;
    const first = table.sampleAvailable(this.#random);
    if (first < 0) return null;
    const a = table.addresses[first]!;
    const second = table.size > 1 ? table.sampleAvailable(this.#random, first) : -1;
    if (second < 0) return acquire(a);
    const b = table.addresses[second]!;
    const now = this.#now();
    const sa = decayedEwma(a.state, now) * (a.state.inflight + 1);
    const sb = decayedEwma(b.state, now) * (b.state.inflight + 1);
    return acquire(sb < sa * TIE ? b : a);
  }

  release(address: TargetAddress, failed: boolean, latencyMs: number): void {
    recordRelease(address.state, failed, latencyMs, this.#now());
  }
}

export const createLatency: BalancerFactory = (addresses, ctx) => new LatencyBalancer(addresses, ctx);
