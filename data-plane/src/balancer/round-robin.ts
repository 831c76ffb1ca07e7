// Smooth weighted round-robin (nginx's algorithm): each pick adds every
// target's weight to its running score, takes the highest, and subtracts the
// total from the winner. Weights 3:1 give a a b a, a a b a … — interleaved,
// never bursts of one target. Weight 0 targets are never picked.
import type { CompiledTarget } from '../compile/types.js';
import type { Balancer, PickInput } from './types.js';

export class RoundRobinBalancer implements Balancer {
  readonly #targets: readonly CompiledTarget[];
  readonly #current: Float64Array;
  readonly #total: number;

  constructor(targets: readonly CompiledTarget[]) {
    this.#targets = targets.filter((t) => t.weight > 0);
    this.#current = new Float64Array(this.#targets.length);
    this.#total = this.#targets.reduce((sum, t) => sum + t.weight, 0);
  }

  pick(_input: PickInput): CompiledTarget | null {
    const targets = this.#targets;
    const n = targets.length;
    if (n === 0) return null;
    if (n === 1) return targets[0]!;
    const current = this.#current;
    let best = 0;
    for (let i = 0; i < n; i++) {
      current[i]! += targets[i]!.weight;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= this.#total;
    return targets[best]!;
  }
}

export const createRoundRobin = (targets: readonly CompiledTarget[]): Balancer => new RoundRobinBalancer(targets);
