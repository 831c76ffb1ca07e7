// Route entity → CompiledRoute, plus the RouterRoute the router is built from.
import type { Route } from '@portico/shared';
import { cachedLayout } from '../proxy/backend-pick.js';
import type { RouterRoute } from '../router/index.js';
import { FrozenSet } from './frozen.js';
import type { RoutePlugins } from '../plugins/chain.js';
import type { CompiledBackends, CompiledMirror, CompiledRoute, CompiledService } from './types.js';

/** What a route's `service`, `backends` and `mirror` resolved to. */
export interface RouteTargets {
  /** The route's service, or with a split its first backend. */
  readonly service: CompiledService | null;
  readonly backends: CompiledBackends | null;
  readonly mirror: CompiledMirror | null;
  /** False when no backend can take traffic (all disabled): left out of the router, as Kong leaves a disabled service's routes. */
  readonly routable: boolean;
}

/**
 * Resolves a route's services by id: the backends' bucket table is laid out
 * here; a one-element `backends` is exactly `service`. Returns a message for
 * a reference the snapshot does not hold.
 */
export function resolveRouteTargets(r: Route, lookup: (id: string) => CompiledService | undefined): RouteTargets | string {
  const missing = (field: string, id: string) => `${field}: references service '${id}', which is not in the snapshot`;
  let mirror: CompiledMirror | null = null;
  const given = r.backends ?? null;
  if (r.mirror != null) {
    const service = lookup(r.mirror.service.id);
    if (service === undefined) return missing('mirror.service', r.mirror.service.id);
    mirror = Object.freeze({ service, percentage: r.mirror.percentage });
  }
  if (given === null || given.length === 0) {
    if (r.service === null) return { service: null, backends: null, mirror, routable: true };
    const service = lookup(r.service.id);
    if (service === undefined) return missing('service', r.service.id);
    return { service, backends: null, mirror, routable: service.enabled };
  }
  if (r.service !== null) return "service, backends: only one or none of these fields must be set: 'service', 'backends'";
  const services: CompiledService[] = [];
  for (const [i, b] of given.entries()) {
    const service = lookup(b.service.id);
    if (service === undefined) return missing(`backends[${i + 1}].service`, b.service.id);
    services.push(service);
  }
  if (services.length === 1) return { service: services[0]!, backends: null, mirror, routable: services[0]!.enabled };
  // A disabled service takes no share; the others split what is left.
  const weights = given.map((b, i) => ({ serviceId: b.service.id, weight: services[i]!.enabled ? b.weight : 0 }));
  const routable = weights.some((w) => w.weight > 0);
  if (!routable && !given.some((b) => b.weight > 0)) return 'backends: at least one backend must have a weight greater than 0';
  const backends: CompiledBackends = Object.freeze({
    services: Object.freeze(services),
    table: routable ? cachedLayout(weights) : new Uint8Array(0),
    hashOn: r.backend_hash_on ?? 'none',
    header: r.backend_hash_on_header?.toLowerCase() ?? null,
    cookie: r.backend_hash_on_cookie ?? null,
  });
  return { service: services[0]!, backends, mirror, routable };
}

const STREAM_PROTOCOLS = new Set(['tcp', 'tls', 'tls_passthrough', 'udp']);

// Routes share one frozen set per distinct protocol list (nearly all are
// http + https): a set per route was ~150 bytes of each route's memory. Keyed
// by the sorted list, so the map holds at most one set per subset of the
// schema's protocols; only `has` is ever asked of it.
const protocolSets = new Map<string, ReadonlySet<string>>();
function protocolSet(list: readonly string[]): ReadonlySet<string> {
  const key = [...list].sort().join(',');
  let set = protocolSets.get(key);
  if (set === undefined) protocolSets.set(key, (set = new FrozenSet(list)));
  return set;
}

/** Returns the router input for the route, or a message saying why the route is invalid. */
export function compileRoute(r: Route, service: CompiledService | null, plugins: RoutePlugins | null = null, targets?: RouteTargets): RouterRoute | string {
  // Kong's routes schema: sources/destinations are stream-route fields.
  const http = r.protocols.some((p) => !STREAM_PROTOCOLS.has(p));
  if (http && ((r.sources?.length ?? 0) > 0 || (r.destinations?.length ?? 0) > 0)) {
    return "sources, destinations: only for routes with stream protocols ('tcp', 'tls', 'tls_passthrough', 'udp')";
  }
  const route: CompiledRoute = Object.freeze({
    id: r.id,
    name: r.name,
    service,
    protocols: protocolSet(r.protocols),
    stripPath: r.strip_path,
    preserveHost: r.preserve_host,
    pathHandling: r.path_handling,
    httpsRedirectStatusCode: r.https_redirect_status_code,
    requestBuffering: r.request_buffering,
    responseBuffering: r.response_buffering,
    plugins,
    backends: targets?.backends ?? null,
    mirror: targets?.mirror ?? null,
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
