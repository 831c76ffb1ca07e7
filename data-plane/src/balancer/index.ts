export type { AddressState, Balancer, BalancerContext, BalancerFactory, PickInput, TargetAddress } from './types.js';
export { RoundRobinBalancer, createRoundRobin } from './round-robin.js';
export { LeastConnectionsBalancer, createLeastConnections } from './least-connections.js';
export { LatencyBalancer, createLatency } from './latency.js';
export { ConsistentHashingBalancer, consistentHashing, type ConsistentHashingOptions } from './consistent-hashing.js';
export { compileHashKey, NO_KEY, type HashKey } from './hash-key.js';
export { balancerFactory } from './factory.js';
export { UpstreamBalancer, createUpstreamBalancer, type TargetResolution, type UpstreamAddressTable, type UpstreamBalancerOptions } from './upstream-balancer.js';
