// Upstream → the factory of its algorithm, with the upstream's own settings
// (hashing inputs, slots) compiled in once.
import type { Upstream } from '@portico/shared';
import { consistentHashing } from './consistent-hashing.js';
import { compileHashKey } from './hash-key.js';
import { createLatency } from './latency.js';
import { createLeastConnections } from './least-connections.js';
import { createRoundRobin } from './round-robin.js';
import type { BalancerFactory } from './types.js';

/** The factory for the upstream's algorithm; null for an algorithm this build does not know. */
export function balancerFactory(u: Upstream): BalancerFactory | null {
  switch (u.algorithm) {
    case 'round-robin':
      return createRoundRobin;
    case 'least-connections':
      return createLeastConnections;
    case 'latency':
      return createLatency;
    case 'consistent-hashing':
      return consistentHashing({ slots: u.slots, key: compileHashKey(u) });
    default:
      return null;
  }
}
