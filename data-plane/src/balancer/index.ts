export type { Balancer, BalancerFactory, PickInput } from './types.js';
export { RoundRobinBalancer, createRoundRobin } from './round-robin.js';
export { balancerFactory } from './factory.js';
