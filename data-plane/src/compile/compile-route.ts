// Route entity → CompiledRoute, plus the RouterRoute the router is built from.
import type { Route } from '@portico/shared';
import type { RouterRoute } from '../router/index.js';
import { FrozenSet } from './frozen.js';
import type { RoutePlugins } from '../plugins/chain.js';
import type { CompiledRoute, CompiledService } from './types.js';

const STREAM_PROTOCOLS = new Set(['tcp', 'tls', 'tls_passthrough', 'udp']);

/** Returns the router input for the route, or a message saying why the route is invalid. */
export function compileRoute(r: Route, service: CompiledService | null, plugins: RoutePlugins | null = null): RouterRoute | string {
  // Kong's routes schema: sources/destinations are stream-route fields.
  const http = r.protocols.some((p) => !STREAM_PROTOCOLS.has(p));
  if (http && ((r.sources?.length ?? 0) > 0 || (r.destinations?.length ?? 0) > 0)) {
    return "sources, destinations: only for routes with stream protocols ('tcp', 'tls', 'tls_passthrough', 'udp')";
  }
  const route: CompiledRoute = Object.freeze({
    id: r.id,
    name: r.name,
    service,
    protocols: new FrozenSet(r.protocols),
    stripPath: r.strip_path,
    preserveHost: r.preserve_host,
    pathHandling: r.path_handling,
    httpsRedirectStatusCode: r.https_redirect_status_code,
    requestBuffering: r.request_buffering,
    responseBuffering: r.response_buffering,
    plugins,
  });
  return Object.freeze({
    route,
    created_at: r.created_at,
    regex_priority: r.regex_priority,
    methods: r.methods,
    hosts: r.hosts,
    paths: r.paths,
    headers: r.headers,
    snis: r.snis,
  });
}
