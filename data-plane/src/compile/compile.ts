// Snapshot → CompiledConfig, off the hot path. Every body is parsed and
// checked once against its entity schema, references are resolved, regexes
// compiled, balancers and plugin chains prepared and the router built; any
// problem rejects the whole snapshot with SNAPSHOT_INVALID and a message
// naming the resource and field, so the cluster client NACKs with it and keeps
// serving the previous config (a bad config is never half-applied).
//
// Given the previous CompiledConfig, resources whose body text is unchanged
// keep their parsed entities and compiled objects (services, routes with the
// router's prepared regexes, plugin instances, balancers), so compile cost
// follows what changed; indexes (router, consumer table when credentials
// changed, plugin resolution) are rebuilt, which is sorting and maps.
import { createHash } from 'node:crypto';
import {
  isPorticoError,
  isResourceType,
  RESOURCE_TYPES,
  type Acl,
  type BasicAuthCredential,
  type Consumer,
  type JwtSecret,
  type KeyAuthCredential,
  type Plugin,
  type Resource,
  type ResourceType,
  type Route,
  type Service,
  type Sni,
  type Target,
  type Upstream,
} from '@portico/shared';
import type { RoutePlugins } from '../plugins/chain.js';
import { resolveRoute } from '../plugins/resolve.js';
import { PluginRuntime } from '../plugins/runtime.js';
import { createTraditionalRouter, RouterErrors, type RouterRoute } from '../router/index.js';
import { compileConsumers } from './compile-consumers.js';
import { compilePlugins, type PreviousPlugin } from './compile-plugins.js';
import { compileRoute, resolveRouteTargets, type RouteTargets } from './compile-route.js';
import { compileService } from './compile-service.js';
import { compileUpstream, type PreviousUpstream, type UpstreamRuntime } from './compile-upstreams.js';
import { FrozenMap, FrozenSet } from './frozen.js';
import { checkRef, invalid, parseEntity, singular } from './invalid.js';
import type { CompiledConfig, CompiledRoute, CompiledService, CompiledUpstream, ConsumerTable } from './types.js';

export interface CompileInput {
  readonly version: number;
  readonly hash: string;
  readonly resources: Iterable<Resource>;
}

interface Parsed {
  readonly body: string;
  readonly entity: { id: string };
}

interface PreviousService {
  readonly body: string;
  readonly upstream: CompiledUpstream | null;
  readonly compiled: CompiledService;
}

interface PreviousRoute {
  readonly body: string;
  readonly digest: string;
  readonly input: RouterRoute;
  readonly targets: RouteTargets;
}

/** What a later compile may reuse. */
interface Reusable {
  readonly runtime: PluginRuntime;
  readonly parsed: ReadonlyMap<ResourceType, ReadonlyMap<string, Parsed>>;
  readonly services: ReadonlyMap<string, PreviousService>;
  readonly routes: ReadonlyMap<string, PreviousRoute>;
  readonly upstreams: ReadonlyMap<string, PreviousUpstream>;
  readonly consumers: ConsumerTable;
  readonly plugins: ReadonlyMap<string, PreviousPlugin>;
  readonly cacheNamespaces: ReadonlySet<string>;
}
const reusable = new WeakMap<CompiledConfig, Reusable>();

/** Cache namespaces the routes of a config serve (the runtime prunes the rest after a swap). */
export function liveCacheNamespaces(config: CompiledConfig): ReadonlySet<string> {
  return reusable.get(config)?.cacheNamespaces ?? new Set();
}

/**
 * @param runtime   plugin state that outlives configs (rate-limit counters, caches)
 * @param upstreamRuntime what balancers consult: the health registry (skip unhealthy
 *                  or ejected addresses) and the DNS registry for name targets
 */
export function compile(input: CompileInput, previous?: CompiledConfig, runtime?: PluginRuntime, upstreamRuntime: UpstreamRuntime = {}): CompiledConfig {
  const prev = previous === undefined ? undefined : reusable.get(previous);
  const rt = runtime ?? prev?.runtime ?? new PluginRuntime();

  // 1. Bucket, parse and schema-check every body (unchanged bodies keep their entity).
  const parsed = new Map<ResourceType, Map<string, Parsed>>(RESOURCE_TYPES.map((t) => [t, new Map()]));
  const changed = new Set<ResourceType>();
  for (const r of input.resources) {
    if (!isResourceType(r.type)) invalid(`resource '${String(r.type)}/${r.id}': unknown resource type`);
    const bucket = parsed.get(r.type)!;
    if (bucket.has(r.id)) invalid(`${singular(r.type)} '${r.id}': listed twice in the snapshot`);
    const old = prev?.parsed.get(r.type)?.get(r.id);
    if (old !== undefined && old.body === r.body) bucket.set(r.id, old);
    else {
      bucket.set(r.id, { body: r.body, entity: parseEntity(r.type, r.id, r.body) });
      changed.add(r.type);
    }
  }
  for (const t of RESOURCE_TYPES) if (prev !== undefined && prev.parsed.get(t)!.size !== parsed.get(t)!.size) changed.add(t);
  const entities = <T>(t: ResourceType): Map<string, { entity: T; body: string }> => parsed.get(t) as unknown as Map<string, { entity: T; body: string }>;

  // 2. Certificates and SNIs: served by the TLS listener (later); references checked now.
  const certificates = parsed.get('certificates')!;
  for (const [id, { entity }] of entities<Sni>('snis')) checkRef('snis', id, 'certificate', 'certificates', entity.certificate, certificates);

  // 3. Consumers and credentials.
  const consumerEntities = new Map([...entities<Consumer>('consumers')].map(([id, v]) => [id, v.entity] as const));
  const consumers =
    prev !== undefined && !changed.has('consumers') && !changed.has('keyauth_credentials')
      ? prev.consumers
      : compileConsumers(consumerEntities, new Map([...entities<KeyAuthCredential>('keyauth_credentials')].map(([id, v]) => [id, v.entity] as const)));
  for (const type of ['jwt_secrets', 'basicauth_credentials', 'acls'] as const) {
    for (const [id, { entity }] of entities<JwtSecret | BasicAuthCredential | Acl>(type)) checkRef(type, id, 'consumer', 'consumers', entity.consumer, consumers.byId);
  }

  // 4. Upstreams with their targets and balancers.
  const targetsOf = new Map<string, { entity: Target; body: string }[]>();
  for (const [id, t] of entities<Target>('targets')) {
    checkRef('targets', id, 'upstream', 'upstreams', t.entity.upstream, parsed.get('upstreams')!);
    let list = targetsOf.get(t.entity.upstream.id);
    if (list === undefined) targetsOf.set(t.entity.upstream.id, (list = []));
    list.push(t);
  }
  const upstreams = new Map<string, PreviousUpstream>();
  const upstreamByName = new Map<string, CompiledUpstream>();
  for (const [id, { entity, body }] of entities<Upstream>('upstreams')) {
    const u = compileUpstream(entity, body, targetsOf.get(id) ?? [], prev?.upstreams.get(id), upstreamRuntime);
    upstreams.set(id, u);
    if (upstreamByName.has(entity.name)) invalid(`upstream '${id}': name: '${entity.name}' is used by another upstream`);
    upstreamByName.set(entity.name, u.compiled);
  }

  // 5. Services (balanced over an upstream when their host names one, as Kong).
  const services = new Map<string, PreviousService>();
  for (const [id, { entity, body }] of entities<Service>('services')) {
    const upstream = upstreamByName.get(entity.host) ?? null;
    const old = prev?.services.get(id);
    if (old !== undefined && old.body === body && old.upstream === upstream) {
      services.set(id, old);
      continue;
    }
    const compiled = compileService(entity, upstream);
    if (typeof compiled === 'string') invalid(`service '${id}': ${compiled}`);
    services.set(id, { body, upstream, compiled: compiled as CompiledService });
  }

  // 6. Plugin instances.
  const routeIds = parsed.get('routes')!;
  const plugins = compilePlugins(entities<Plugin>('plugins'), { routes: routeIds, services, consumers }, rt, prev?.plugins);

  // 7. Routes, each with its resolved plugin chain.
  const routes = new Map<string, PreviousRoute>();
  const cacheNamespaces = new Set<string>();
  for (const [id, { entity, body }] of entities<Route>('routes')) {
    const old = prev?.routes.get(id);
    const digest = old !== undefined && old.body === body ? old.digest : createHash('sha256').update(body).digest('base64url').slice(0, 22);
    // service, or backends (a split: the route runs its first backend's plugins), and mirror.
    const targets = resolveRouteTargets(entity, (sid) => services.get(sid)?.compiled);
    if (typeof targets === 'string') invalid(`route '${id}': ${targets}`);
    const { service } = targets as RouteTargets;
    const oldRoute = old?.input.route;
    const routePlugins = resolveRoute(plugins.index, { routeId: id, routeDigest: digest }, service?.id ?? null, oldRoute?.plugins ?? null);
    collectNamespaces(routePlugins, cacheNamespaces);
    if (old !== undefined && old.body === body && oldRoute!.service === service && oldRoute!.plugins === routePlugins && sameTargets(old.targets, targets as RouteTargets)) {
      routes.set(id, old);
      continue;
    }
    const compiled = compileRoute(entity, service, routePlugins, targets as RouteTargets);
    if (typeof compiled === 'string') invalid(`route '${id}': ${compiled}`);
    routes.set(id, { body, digest, input: compiled as RouterRoute, targets: targets as RouteTargets });
  }

  // Kong leaves the routes of a disabled service out of the router; a split
  // stays while one of its backends can take traffic.
  const routable = [...routes.values()].filter((r) => r.targets.routable).map((r) => r.input);
  let router;
  try {
    router = createTraditionalRouter(routable);
  } catch (err) {
    if (isPorticoError(err, RouterErrors.ROUTE_INVALID)) invalid(err.message, err);
    throw err;
  }

  const config: CompiledConfig = Object.freeze({
    version: input.version,
    hash: input.hash,
    router,
    services: new FrozenMap<string, CompiledService>([...services].map(([id, s]) => [id, s.compiled] as const)),
    routes: new FrozenMap<string, CompiledRoute>([...routes].map(([id, r]) => [id, r.input.route] as const)),
    upstreams: new FrozenMap<string, CompiledUpstream>([...upstreams].map(([id, u]) => [id, u.compiled] as const)),
    consumers,
    pluginIds: new FrozenSet(plugins.ids),
  });
  reusable.set(config, { runtime: rt, parsed, services, routes, upstreams, consumers, plugins: plugins.reusable, cacheNamespaces });
  return config;
}

/** Whether a route's resolved services are the very same compiled objects (so its compiled route can be kept). */
function sameTargets(a: RouteTargets, b: RouteTargets): boolean {
  if (a.service !== b.service || a.routable !== b.routable || a.mirror?.service !== b.mirror?.service) return false;
  const x = a.backends?.services ?? [];
  const y = b.backends?.services ?? [];
  return x.length === y.length && x.every((s, i) => s === y[i]);
}

function collectNamespaces(plugins: RoutePlugins | null, into: Set<string>): void {
  if (plugins === null) return;
  for (const chain of [plugins.http, plugins.https]) {
    if (chain === null) continue;
    for (const e of chain.entries) if (e.handlers.namespace !== undefined) into.add(e.handlers.namespace);
    for (const overlay of chain.byConsumer?.values() ?? []) for (const e of overlay) if (e.handlers.namespace !== undefined) into.add(e.handlers.namespace);
  }
}
