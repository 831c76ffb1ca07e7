export { startClusterServer, type ClusterServer, type ClusterServerOptions } from './server.js';
export type { ClusterView, DataPlaneStatus } from './types.js';
export { ClusterErrors } from './errors.js';
export type { Logger } from './logger.js';
