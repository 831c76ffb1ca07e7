// Per-route facts the request path needs, derived once from a compiled route
// and cached beside it (WeakMap: dies with the config generation). Candidates
// for fields on CompiledRoute once compile.ts owns them.
import type { CompiledRoute } from '../compile/types.js';

export interface RouteData {
  /** Kong: protocols has https but not http, so plain-http requests get 426 or a redirect. */
  readonly httpsOnly: boolean;
}

const cache = new WeakMap<CompiledRoute, RouteData>();

export function routeData(route: CompiledRoute): RouteData {
  let data = cache.get(route);
  if (data === undefined) {
    data = { httpsOnly: route.protocols.has('https') && !route.protocols.has('http') };
    cache.set(route, data);
  }
  return data;
}
