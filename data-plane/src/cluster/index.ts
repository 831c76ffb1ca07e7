export { startClusterClient, type ClusterClient, type ClusterClientOptions, type ClusterClientState, type AppliedSnapshot } from './client.js';
export { loadCache, writeCache, CACHE_FILE, type CacheLoad } from './disk-cache.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { ClusterClientErrors } from './errors.js';
export type { Logger } from './logger.js';
