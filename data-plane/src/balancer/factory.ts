// Upstream algorithm → balancer. Only round-robin is implemented so far; an
// upstream asking for another of Kong's algorithms makes compile reject the
// snapshot with a message saying so (a NACK the operator sees in
// /clustering/data-planes), rather than balancing differently than configured.
import type { Upstream } from '@portico/shared';
import { createRoundRobin } from './round-robin.js';
import type { BalancerFactory } from './types.js';

const FACTORIES: Readonly<Partial<Record<Upstream['algorithm'], BalancerFactory>>> = {
  'round-robin': createRoundRobin,
};

/** The factory for an algorithm, or null when this build does not implement it. */
export function balancerFactory(algorithm: Upstream['algorithm']): BalancerFactory | null {
  return FACTORIES[algorithm] ?? null;
}
