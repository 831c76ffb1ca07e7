export { DnsRegistry, defaultDnsRegistry, type DnsEntry, type DnsRegistryOptions, type DnsState, type DnsWatcher } from './dns-registry.js';
export { resolveName, NAME_ABSENT, type ResolveFn, type Resolution } from './resolve.js';
