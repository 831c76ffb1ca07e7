export { startClusterServer, type ClusterServer, type ClusterServerOptions, type DeliveryOptions } from './server.js';
export { FanOutLimiter, type FanOutOptions } from './fan-out.js';
export type { ClusterView, DataPlaneStatus, DataPlaneHealthSummary, HealthState, NodeHealth, UpstreamHealth, TargetHealth, AddressHealth } from './types.js';
export { mergeTargets, balancerHealth, usesHealthchecks, type TargetHealthRow, type BalancerHealth } from './health-merge.js';
export { ClusterErrors } from './errors.js';
export type { Logger } from './logger.js';
