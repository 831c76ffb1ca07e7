// The proxy's public surface: the listener factory, the upstream pools it
// forwards on, and its error catalog.
export { createProxyServer, type ProxyServer, type ProxyServerOptions } from './proxy-server.js';
export { UpstreamPools, type UpstreamPoolsOptions } from './upstream-pools.js';
export { ProxyErrors, type ProxyErrorName } from './errors.js';
export { upstreamPath, strippedPrefix, type PathInput } from './upstream-path.js';
