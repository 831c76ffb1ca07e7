// Snapshot → CompiledConfig, off the hot path. Every body is parsed and
// checked once against its entity schema, references are resolved, regexes
// compiled, balancers and plugin chains prepared and the router built; any
// problem rejects the whole snapshot with SNAPSHOT_INVALID and a message
// naming the resource and field, so the cluster client NACKs with it and keeps
// serving the previous config (a bad config is never half-applied).
//
// Given the previous CompiledConfig, resources whose body text is unchanged
// keep their parsed entities and compiled objects (services, routes with the
// router's prepared regexes, plugin instances, balancers), and the router is
// updated with only the routes that changed, so compile cost follows what
// changed; what stays per resource is a few map operations (a one-route
// change at 10,000 routes is measured by compile-bench.ts).
import {
  isPorticoError,
  type Acl,
  type BasicAuthCredential,
  type Consumer,
  type DeltaHint,
  type JwtSecret,
  type KeyAuthCredential,
  type Plugin,
  type Resource,
  type ResourceType,
  type Service,
  type Sni,
  type Target,
  type Upstream,
} from '@portico/shared';
import { PluginRuntime } from '../plugins/runtime.js';
import { buildTraditionalRouter, nextTraditionalRouter, RouterErrors, type TraditionalRouter } from '../router/index.js';
import { runToEnd, type Steps } from '../slices.js';
import { compileConsumers } from './compile-consumers.js';
import { compilePlugins, type PreviousPlugin } from './compile-plugins.js';
import { compileService } from './compile-service.js';
import { compileUpstream, type PreviousUpstream, type UpstreamRuntime } from './compile-upstreams.js';
import { FrozenMap, FrozenSet } from './frozen.js';
import { bucketDelta, bucketResources, type Bucket, type Buckets } from './buckets.js';
import { checkRef, invalid } from './invalid.js';
import { MapView } from './map-view.js';
import { compileRoutes, compileTouchedRoutes, type RouteRecord } from './route-record.js';
import type { CompiledConfig, CompiledRoute, CompiledService, CompiledUpstream, ConsumerTable } from './types.js';

export interface CompileInput {
  readonly version: number;
  readonly hash: string;
  readonly resources: Iterable<Resource>;
  /** How `resources` differ from a config: used when that config is `previous`, so bucketing costs the change, not the table. */
  readonly delta?: DeltaHint | undefined;
}

interface PreviousService {
  readonly body: string;
  readonly upstream: CompiledUpstream | null;
  readonly compiled: CompiledService;
}

/** What a later compile may reuse. */
interface Reusable {
  readonly runtime: PluginRuntime;
  readonly router: TraditionalRouter;
  readonly parsed: Buckets;
  readonly services: ReadonlyMap<string, PreviousService>;
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
  return runToEnd(compileSteps(input, previous, runtime, upstreamRuntime));
}

/**
 * compile, pausing between chunks of resources so a serving process can run
 * it in slices (slices.ts). Nothing it reads changes while it pauses: the
 * previous config and its parts are immutable, and this compile writes only
 * to buckets and maps of its own.
 */
export function* compileSteps(input: CompileInput, previous?: CompiledConfig, runtime?: PluginRuntime, upstreamRuntime: UpstreamRuntime = {}): Steps<CompiledConfig> {
  const prev = previous === undefined ? undefined : reusable.get(previous);
  const rt = runtime ?? prev?.runtime ?? new PluginRuntime();

  // 1. Bucket, parse and schema-check every body (unchanged bodies keep their entity).
  const d = input.delta;
  const onTop = d !== undefined && prev !== undefined && previous!.version === d.baseVersion && previous!.hash === d.baseHash;
  const { parsed, changed } = onTop ? yield* bucketDelta(prev.parsed, d) : yield* bucketResources(input.resources, prev?.parsed);
  const entities = <T>(t: ResourceType): Map<string, { entity: T; body: string }> => parsed.get(t) as unknown as Map<string, { entity: T; body: string }>;

  // 2. Certificates and SNIs: served by the TLS listener (later); references checked now.
  const certificates = parsed.get('certificates')!;
  for (const [id, { entity }] of entities<Sni>('snis')) checkRef('snis', id, 'certificate', 'certificates', entity.certificate, certificates);

  // 3. Consumers and credentials.
  const consumers =
    prev !== undefined && !changed.has('consumers') && !changed.has('keyauth_credentials')
      ? prev.consumers
      : compileConsumers(entityMap(entities<Consumer>('consumers')), entityMap(entities<KeyAuthCredential>('keyauth_credentials')));
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
  let upstreamsKept = prev !== undefined && prev.upstreams.size === entities('upstreams').size;
  for (const [id, { entity, body }] of entities<Upstream>('upstreams')) {
    const old = prev?.upstreams.get(id);
    const u = compileUpstream(entity, body, targetsOf.get(id) ?? [], old, upstreamRuntime);
    if (u !== old) upstreamsKept = false;
    upstreams.set(id, u);
    if (upstreamByName.has(entity.name)) invalid(`upstream '${id}': name: '${entity.name}' is used by another upstream`);
    upstreamByName.set(entity.name, u.compiled);
  }

  // 5. Services (balanced over an upstream when their host names one, as Kong).
  const services = new Map<string, PreviousService>();
  // Ids whose compiled service is new or gone: only routes naming one of them need resolving again.
  const changedServices = new Set<string>();
  for (const [id, { entity, body }] of entities<Service>('services')) {
    const upstream = upstreamByName.get(entity.host) ?? null;
    const old = prev?.services.get(id);
    if (old !== undefined && old.body === body && old.upstream === upstream) {
      services.set(id, old);
      continue;
    }
    changedServices.add(id);
    const compiled = compileService(entity, upstream);
    if (typeof compiled === 'string') invalid(`service '${id}': ${compiled}`);
    services.set(id, { body, upstream, compiled: compiled as CompiledService });
  }
  if (prev !== undefined) for (const id of prev.services.keys()) if (!services.has(id)) changedServices.add(id);
  const servicesKept = prev !== undefined && changedServices.size === 0;

  // 6. Plugin instances.
  const routeIds = parsed.get('routes')!;
  const plugins = compilePlugins(entities<Plugin>('plugins'), { routes: routeIds, services, consumers }, rt, prev?.plugins);

  // 7. Routes, each with its resolved plugin chain (unchanged ones kept as they are, see route-record.ts).
  const quiet = prev !== undefined && samePlugins(prev.plugins, plugins.reusable);
  const records = parsed.get('routes') as unknown as Bucket<RouteRecord>;
  const previousRecords = prev?.parsed.get('routes') as ReadonlyMap<string, RouteRecord> | undefined;
  const routeContext = { quiet, changedServices, serviceById: (sid: string) => services.get(sid)?.compiled, plugins: plugins.index };
  // A delta that touched routes only: visit those, not the whole table.
  const touchedOnly = onTop && quiet && changedServices.size === 0 ? yield* compileTouchedRoutes(records, previousRecords!, routeIdsOf(d), prev.cacheNamespaces, routeContext) : null;
  const { cacheNamespaces, routable, removed, added } = touchedOnly ?? (yield* compileRoutes(records, previousRecords, routeContext));
  let router: TraditionalRouter;
  try {
    router = prev === undefined ? yield* buildTraditionalRouter(routable) : yield* nextTraditionalRouter(prev.router, { removed, added });
  } catch (err) {
    if (isPorticoError(err, RouterErrors.ROUTE_INVALID)) invalid(err.message, err);
    throw err;
  }
  // Unchanged maps are shared with the previous config (they are frozen).
  const same = previous !== undefined && prev !== undefined;

  const config: CompiledConfig = Object.freeze({
    version: input.version,
    hash: input.hash,
    router,
    services: same && servicesKept ? previous.services : new FrozenMap<string, CompiledService>([...services].map(([id, s]) => [id, s.compiled] as const)),
    routes: new MapView(records, (r: RouteRecord): CompiledRoute => r.compiled!.input.route),
    upstreams: same && upstreamsKept ? previous.upstreams : new FrozenMap<string, CompiledUpstream>([...upstreams].map(([id, u]) => [id, u.compiled] as const)),
    consumers,
    pluginIds: new FrozenSet(plugins.ids),
  });
  reusable.set(config, { runtime: rt, router, parsed, services, upstreams, consumers, plugins: plugins.reusable, cacheNamespaces });
  return config;
}

/** Whether two compiles made the very same plugin instances, in the same order (so every route resolves as before). */
function samePlugins(a: ReadonlyMap<string, PreviousPlugin>, b: ReadonlyMap<string, PreviousPlugin>): boolean {
  if (a.size !== b.size) return false;
  const older = a.entries();
  for (const [id, p] of b) {
    const [oldId, oldP] = older.next().value as [string, PreviousPlugin];
    if (oldId !== id || oldP !== p) return false;
  }
  return true;
}

/** The ids of the routes a delta updated or removed. */
function* routeIdsOf(d: Pick<DeltaHint, 'updated' | 'removed'>): Generator<string> {
  for (const r of d.updated) if (r.type === 'routes') yield r.id;
  for (const r of d.removed) if (r.type === 'routes') yield r.id;
}

const entityMap = <T>(m: ReadonlyMap<string, { entity: T }>): Map<string, T> => new Map([...m].map(([id, v]) => [id, v.entity] as const));
