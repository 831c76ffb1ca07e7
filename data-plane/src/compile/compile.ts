// Snapshot → CompiledConfig, off the hot path. Every body is parsed and
// checked once, references are resolved, regexes compiled and the router
// built; any problem rejects the whole snapshot with SNAPSHOT_INVALID and a
// message naming the resource and field, so the cluster client NACKs with it
// and keeps serving the previous config (a bad config is never half-applied).
//
// Given the previous CompiledConfig, resources whose body text is unchanged
// keep their compiled objects (and the router its prepared regexes and
// matches), so compile cost follows what changed; the router's index itself
// is rebuilt, which is a sort and a few maps.
import { isPorticoError, isResourceType, PorticoError, SharedErrors, type Resource, type Route, type Service } from '@portico/shared';
import { createTraditionalRouter, RouterErrors, type RouterRoute } from '../router/index.js';
import { compileRoute } from './compile-route.js';
import { compileService } from './compile-service.js';
import { FrozenMap } from './frozen.js';
import { schemaViolation } from './schema-check.js';
import type { CompiledConfig, CompiledRoute, CompiledService } from './types.js';

export interface CompileInput {
  readonly version: number;
  readonly hash: string;
  readonly resources: Iterable<Resource>;
}

/** What a later compile may reuse, keyed by resource id. */
interface Reusable {
  readonly services: ReadonlyMap<string, { readonly body: string; readonly compiled: CompiledService }>;
  readonly routes: ReadonlyMap<string, { readonly body: string; readonly input: RouterRoute }>;
}
const reusable = new WeakMap<CompiledConfig, Reusable>();

const invalid = (message: string, cause?: unknown): never => {
  throw new PorticoError(SharedErrors.SNAPSHOT_INVALID, message, undefined, cause === undefined ? undefined : { cause });
};

export function compile(input: CompileInput, previous?: CompiledConfig): CompiledConfig {
  const prev = previous === undefined ? undefined : reusable.get(previous);
  const bodies = { services: new Map<string, string>(), routes: new Map<string, string>() };
  for (const r of input.resources) {
    if (!isResourceType(r.type)) invalid(`resource '${String(r.type)}/${r.id}': unknown resource type`);
    if (r.type !== 'services' && r.type !== 'routes') {
      // Types the proxy does not act on yet (consumers, plugins, …) must at
      // least be well-formed JSON objects.
      let v: unknown;
      try {
        v = JSON.parse(r.body);
      } catch (err) {
        invalid(`${r.type} '${r.id}': body is not valid JSON`, err);
      }
      if (typeof v !== 'object' || v === null) invalid(`${r.type} '${r.id}': body is not a JSON object`);
      continue;
    }
    if (bodies[r.type].has(r.id)) invalid(`${singular(r.type)} '${r.id}': listed twice in the snapshot`);
    bodies[r.type].set(r.id, r.body);
  }

  const services = new Map<string, { body: string; compiled: CompiledService }>();
  for (const [id, body] of bodies.services) {
    const old = prev?.services.get(id);
    if (old !== undefined && old.body === body) {
      services.set(id, old);
      continue;
    }
    const entity = parse<Service>('services', id, body);
    const compiled = compileService(entity);
    if (typeof compiled === 'string') invalid(`service '${id}': ${compiled}`);
    services.set(id, { body, compiled: compiled as CompiledService });
  }

  const routes = new Map<string, { body: string; input: RouterRoute }>();
  for (const [id, body] of bodies.routes) {
    const old = prev?.routes.get(id);
    const oldService = old?.input.route.service ?? null;
    if (old !== undefined && old.body === body && (oldService === null || services.get(oldService.id)?.compiled === oldService)) {
      routes.set(id, old);
      continue;
    }
    const entity = parse<Route>('routes', id, body);
    let service: CompiledService | null = null;
    if (entity.service !== null) {
      const found = services.get(entity.service.id);
      if (found === undefined) invalid(`route '${id}': service: references service '${entity.service.id}', which is not in the snapshot`);
      service = found!.compiled;
    }
    const compiled = compileRoute(entity, service);
    if (typeof compiled === 'string') invalid(`route '${id}': ${compiled}`);
    routes.set(id, { body, input: compiled as RouterRoute });
  }

  // Kong leaves the routes of a disabled service out of the router.
  const routable = [...routes.values()].map((r) => r.input).filter((r) => r.route.service?.enabled !== false);
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
  });
  reusable.set(config, { services, routes });
  return config;
}

const singular = (type: 'services' | 'routes'): string => (type === 'services' ? 'service' : 'route');

function parse<T extends { id: string }>(type: 'services' | 'routes', id: string, body: string): T {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return invalid(`${singular(type)} '${id}': body is not valid JSON (${(err as Error).message})`, err);
  }
  const violation = schemaViolation(type, value);
  if (violation !== null) invalid(`${singular(type)} '${id}': ${violation}`);
  const entity = value as T;
  if (entity.id !== id) invalid(`${singular(type)} '${id}': id: body has id '${entity.id}'`);
  return entity;
}
