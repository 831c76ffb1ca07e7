// What a compile keeps per route, and when the next compile may keep it as it
// is. A route's record sits in the snapshot's routes bucket (its parsed body
// and entity) with the route compiled from it, so the next compile finds an
// unchanged route's compiled form without another lookup.
import type { Route } from '@portico/shared';
import type { RoutePlugins } from '../plugins/chain.js';
import { resolveRoute, type PluginIndex } from '../plugins/resolve.js';
import type { RouterRoute } from '../router/index.js';
import { compileRoute, resolveRouteTargets, type RouteTargets } from './compile-route.js';
import type { Bucket } from './buckets.js';
import { shortDigest } from './digest.js';
import { invalid } from './invalid.js';
import { SLICE_ITEMS, type Steps } from '../slices.js';
import type { CompiledService } from './types.js';

export interface CompiledRouteRecord {
  readonly body: string;
  readonly digest: string;
  readonly input: RouterRoute;
  readonly targets: RouteTargets;
  /** Cache namespaces of the route's plugins, gathered once per compiled route. */
  readonly namespaces: readonly string[];
}

export interface RouteRecord {
  readonly body: string;
  readonly entity: Route;
  /** Set by the compile that made the record's config. */
  readonly compiled?: CompiledRouteRecord;
}

export interface RouteContext {
  /** No plugin instance changed since the previous compile. */
  readonly quiet: boolean;
  /** Services compiled anew or removed since the previous compile. */
  readonly changedServices: ReadonlySet<string>;
  readonly serviceById: (id: string) => CompiledService | undefined;
  readonly plugins: PluginIndex;
}

export interface CompiledRoutes {
  readonly cacheNamespaces: ReadonlySet<string>;
  /** Every routable route, when there is no previous compile (a full router build). */
  readonly routable: RouterRoute[];
  /** What left and joined the router since the previous compile. */
  readonly removed: RouterRoute[];
  readonly added: RouterRoute[];
}

/**
 * Compiles the routes of `records` in place (each record gets its compiled
 * route). While no plugin instance changed, a route with an unchanged body
 * that names no changed service resolves exactly as it did, so it is kept as
 * it is: an unchanged route costs no resolution at all. Pauses every
 * SLICE_ITEMS routes (slices.ts).
 */
export function* compileRoutes(records: Bucket<RouteRecord>, previous: ReadonlyMap<string, RouteRecord> | undefined, cx: RouteContext): Steps<CompiledRoutes> {
  const cacheNamespaces = new Set<string>();
  const out: CompiledRoutes = { cacheNamespaces, routable: [], removed: [], added: [] };
  let kept = 0; // routes of the previous config still here (the rest were deleted)
  let n = 0;
  for (const [id, record] of records) {
    if (++n === SLICE_ITEMS) {
      n = 0;
      yield;
    }
    // A record carried over from the previous config (same body) holds that config's route.
    const old = record.compiled ?? previous?.get(id)?.compiled;
    const entity = record.entity;
    const next =
      cx.quiet && record.compiled !== undefined && !namesAny(entity, cx.changedServices)
        ? record.compiled
        : compileRouteRecord(id, entity, record.body, old, cx.serviceById, cx.plugins);
    // (replacing the value of a key being iterated is safe, and leaves the previous config's record alone)
    if (next !== record.compiled) records.set(id, { body: record.body, entity, compiled: next });
    for (let i = 0; i < next.namespaces.length; i++) cacheNamespaces.add(next.namespaces[i]!);
    // Kong leaves the routes of a disabled service out of the router; a split
    // stays while one of its backends can take traffic.
    if (previous === undefined) {
      if (next.targets.routable) out.routable.push(next.input);
      continue;
    }
    if (old !== undefined) kept++;
    if (next === old) continue;
    if (old?.targets.routable === true) out.removed.push(old.input);
    if (next.targets.routable) out.added.push(next.input);
  }
  if (previous !== undefined && kept < previous.size) {
    // Some routes were deleted. Snapshots keep their order between pushes
    // (edits in place, additions at the end), so walking both maps in step
    // finds them with a lookup only where the two orders part.
    const current = records.keys();
    let at = current.next();
    for (const [id, r] of previous) {
      if (at.done !== true && at.value === id) at = current.next();
      else if (!records.has(id) && r.compiled!.targets.routable) out.removed.push(r.compiled!.input);
    }
  }
  return out;
}

/**
 * compileRoutes at the cost of the change, for a delta that touched only the
 * routes `touched` names while nothing else a route resolves against changed
 * (cx.quiet, no changed service): every other record is the previous
 * config's, compiled as it is. `records` is a layer over `previous` with the
 * delta's routes set or deleted. Returns null, having written nothing, when a
 * touched route has or had cache namespaces: the whole walk then recounts
 * them (`previousNamespaces` holds only while no touched route has any).
 */
export function* compileTouchedRoutes(
  records: Bucket<RouteRecord>,
  previous: ReadonlyMap<string, RouteRecord>,
  touched: Iterable<string>,
  previousNamespaces: ReadonlySet<string>,
  cx: RouteContext,
): Steps<CompiledRoutes | null> {
  const writes: [string, RouteRecord][] = [];
  const removed: RouterRoute[] = [];
  const added: RouterRoute[] = [];
  const seen = new Set<string>();
  let n = 0;
  for (const id of touched) {
    if (++n === SLICE_ITEMS) {
      n = 0;
      yield;
    }
    if (seen.has(id)) continue;
    seen.add(id);
    const old = previous.get(id)?.compiled;
    if (old !== undefined && old.namespaces.length > 0) return null;
    const record = records.get(id);
    if (record === undefined) {
      // Deleted (or created and deleted while this node was not looking: then never routable here).
      if (old?.targets.routable === true) removed.push(old.input);
      continue;
    }
    // An unchanged body kept the previous record, compiled as it was.
    const next = record.compiled ?? compileRouteRecord(id, record.entity, record.body, old, cx.serviceById, cx.plugins);
    if (next.namespaces.length > 0) return null;
    if (next !== record.compiled) writes.push([id, { body: record.body, entity: record.entity, compiled: next }]);
    if (next === old) continue;
    if (old?.targets.routable === true) removed.push(old.input);
    if (next.targets.routable) added.push(next.input);
  }
  for (const [id, record] of writes) records.set(id, record);
  return { cacheNamespaces: previousNamespaces, routable: [], removed, added };
}

/** One route's compiled form: `old` itself when nothing it depends on changed. */
function compileRouteRecord(
  id: string,
  entity: Route,
  body: string,
  old: CompiledRouteRecord | undefined,
  serviceById: (id: string) => CompiledService | undefined,
  index: PluginIndex,
): CompiledRouteRecord {
  const digest = old !== undefined && old.body === body ? old.digest : shortDigest(body);
  // service, or backends (a split: the route runs its first backend's plugins), and mirror.
  const targets = resolveRouteTargets(entity, serviceById);
  if (typeof targets === 'string') invalid(`route '${id}': ${targets}`);
  const { service } = targets as RouteTargets;
  const oldRoute = old?.input.route;
  const routePlugins = resolveRoute(index, { routeId: id, routeDigest: digest }, service?.id ?? null, oldRoute?.plugins ?? null);
  if (old !== undefined && old.body === body && oldRoute!.service === service && oldRoute!.plugins === routePlugins && sameTargets(old.targets, targets as RouteTargets)) {
    return old;
  }
  const compiled = compileRoute(entity, service, routePlugins, targets as RouteTargets);
  if (typeof compiled === 'string') invalid(`route '${id}': ${compiled}`);
  return { body, digest, input: compiled as RouterRoute, targets: targets as RouteTargets, namespaces: namespacesOf(routePlugins) };
}

/** Whether the route's service, backends or mirror name one of `ids` (a route naming none of them resolves as before). */
function namesAny(r: Route, ids: ReadonlySet<string>): boolean {
  if (ids.size === 0) return false;
  if (r.service != null && ids.has(r.service.id)) return true;
  if (r.mirror != null && ids.has(r.mirror.service.id)) return true;
  return r.backends?.some((b) => ids.has(b.service.id)) ?? false;
}

/** Whether a route's resolved services are the very same compiled objects (so its compiled route can be kept). */
function sameTargets(a: RouteTargets, b: RouteTargets): boolean {
  if (a.service !== b.service || a.routable !== b.routable || a.mirror?.service !== b.mirror?.service) return false;
  const x = a.backends?.services ?? [];
  const y = b.backends?.services ?? [];
  return x.length === y.length && x.every((s, i) => s === y[i]);
}

function namespacesOf(plugins: RoutePlugins | null): string[] {
  if (plugins === null) return [];
  const into = new Set<string>();
  for (const chain of [plugins.http, plugins.https]) {
    if (chain === null) continue;
    for (const e of chain.entries) if (e.handlers.namespace !== undefined) into.add(e.handlers.namespace);
    for (const overlay of chain.byConsumer?.values() ?? []) for (const e of overlay) if (e.handlers.namespace !== undefined) into.add(e.handlers.namespace);
  }
  return [...into];
}
