// Service entity → CompiledService: the pool key and the Host header are
// computed once here, never per request.
import type { Service } from '@portico/shared';
import type { CompiledService, CompiledUpstream, Peer } from './types.js';

const DEFAULT_PORT: Readonly<Record<string, number>> = { http: 80, https: 443 };

/**
 * The scheme spoken to the upstream. gRPC and WebSocket services ride on
 * HTTP(S); stream services (tcp, tls, udp) are only reachable through stream
 * routes, which the HTTP router ignores, so any scheme serves them here. A
 * Kong config holding such services must still compile, or one of them would
 * make the whole snapshot be rejected.
 */
const SCHEME: Readonly<Record<string, 'http' | 'https'>> = { http: 'http', https: 'https', grpc: 'http', grpcs: 'https', ws: 'http', wss: 'https', tls: 'https', tls_passthrough: 'https' };

/**
 * Returns the compiled service, or a message saying why the service cannot be
 * served. With an upstream (the service's host names one), every target gets
 * its peer here: origin, pool key inputs and Host header (Kong: the upstream's
 * host_header, else the target's host; its port unless it is the scheme's default).
 */
export function compileService(s: Service, upstream: CompiledUpstream | null = null): CompiledService | string {
  // IPv6 literals need brackets in an origin and in a Host header.
  const scheme = SCHEME[s.protocol] ?? 'http';
  const host = s.host.includes(':') && !s.host.startsWith('[') ? `[${s.host}]` : s.host;
  return Object.freeze({
    id: s.id,
    name: s.name,
    protocol: scheme,
    host: s.host,
    port: s.port,
    path: s.path,
    origin: `${scheme}://${host}:${s.port}`,
    hostHeader: s.port === DEFAULT_PORT[scheme] ? host : `${host}:${s.port}`,
    retries: s.retries,
    connectTimeout: s.connect_timeout,
    writeTimeout: s.write_timeout,
    readTimeout: s.read_timeout,
    enabled: s.enabled,
    upstream,
    peers:
      upstream === null
        ? null
        : Object.freeze(
            upstream.targets.map((t): Peer => {
              const hostname = upstream.hostHeader ?? t.host;
              return Object.freeze({
                origin: `${scheme}://${t.host}:${t.port}`,
                connectTimeout: s.connect_timeout,
                hostHeader: t.port === DEFAULT_PORT[scheme] ? hostname : `${hostname}:${t.port}`,
              });
            }),
          ),
  });
}
