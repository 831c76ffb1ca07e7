// A weight table built once per balancer: weighted random sampling in
// O(log n) with no allocation, and the availability filter every algorithm
// applies (weight 0 and what the health view marks unavailable are skipped).
import type { BalancerContext, TargetAddress } from './types.js';

export class WeightTable {
  /** Addresses with weight > 0, in the given order. */
  readonly addresses: readonly TargetAddress[];
  /** Running sum of weights: cumulative[i] = w0 + … + wi. */
  readonly #cumulative: Float64Array;
  readonly total: number;
  readonly #ctx: BalancerContext;

  constructor(addresses: readonly TargetAddress[], ctx: BalancerContext) {
    this.addresses = addresses.filter((a) => a.weight > 0);
    this.#cumulative = new Float64Array(this.addresses.length);
    let sum = 0;
    this.addresses.forEach((a, i) => (this.#cumulative[i] = sum += a.weight));
    this.total = sum;
    this.#ctx = ctx;
  }

  get size(): number {
    return this.addresses.length;
  }

  available(a: TargetAddress): boolean {
    return this.#ctx.health.isAvailable(this.#ctx.upstream, a.address);
  }

  /** Index of a weighted-random address given u in [0, 1) (availability not checked). */
  sample(u: number): number {
    const c = this.#cumulative;
    const x = u * this.total;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * A weighted-random available index, or -1 when none is available. Sampling
   * a few times keeps it O(log n) while most addresses are up; after that a
   * scan from a random start finds any survivor.
   */
  sampleAvailable(random: () => number, exclude = -1): number {
    const n = this.addresses.length;
    if (n === 0) return -1;
    for (let tries = 0; tries < 4; tries++) {
      const i = this.sample(random());
      if (i !== exclude && this.available(this.addresses[i]!)) return i;
    }
    const start = Math.floor(random() * n);
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      if (i !== exclude && this.available(this.addresses[i]!)) return i;
    }
    return -1;
  }
}
