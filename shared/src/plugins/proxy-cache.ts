// proxy-cache's config (Kong 3.x kong/plugins/proxy-cache/schema.lua). Kong's
// memory strategy lives in an nginx shared dict; Portico's lives in the data
// plane's heap, bounded by `memory.max_bytes` (a Portico addition) with LRU
// eviction. `dictionary_name` is kept for Kong compatibility and names the
// store: plugins sharing a name share one byte budget.
import { Type, type Static } from '@sinclair/typebox';
import type { PluginSchemaDefinition } from './definition.js';
import { CheckErrors, gtMessage } from './kong-checks.js';

export const CACHEABLE_METHODS = ['HEAD', 'GET', 'POST', 'PATCH', 'PUT'] as const;
export const CACHE_STRATEGIES = ['memory'] as const;

export const ProxyCacheConfigSchema = Type.Object(
  {
    response_code: Type.Array(Type.Integer({ minimum: 100, maximum: 900 }), { minItems: 1, default: [200, 301, 404] }),
    request_method: Type.Array(Type.Union(CACHEABLE_METHODS.map((m) => Type.Literal(m))), { default: ['GET', 'HEAD'] }),
    content_type: Type.Array(Type.String(), { default: ['text/plain', 'application/json'] }),
    cache_ttl: Type.Integer({ exclusiveMinimum: 0, default: 300 }),
    strategy: Type.Union(CACHE_STRATEGIES.map((s) => Type.Literal(s))),
    cache_control: Type.Boolean({ default: false }),
    ignore_uri_case: Type.Boolean({ default: false }),
    storage_ttl: Type.Union([Type.Integer(), Type.Null()], { default: null }),
    memory: Type.Object(
      {
        dictionary_name: Type.String({ default: 'kong_db_cache' }),
        /** Portico: bytes of cached bodies and headers this dictionary may hold. */
        max_bytes: Type.Integer({ minimum: 1024, maximum: 2 ** 40, default: 64 * 1024 * 1024 }),
      },
      { additionalProperties: false, default: {} },
    ),
    vary_query_params: Type.Union([Type.Array(Type.String()), Type.Null()], { default: null }),
    vary_headers: Type.Union([Type.Array(Type.String()), Type.Null()], { default: null }),
    response_headers: Type.Object(
      {
        age: Type.Boolean({ default: true }),
        'X-Cache-Status': Type.Boolean({ default: true }),
        'X-Cache-Key': Type.Boolean({ default: true }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type ProxyCacheConfig = Static<typeof ProxyCacheConfigSchema>;

export const PROXY_CACHE: PluginSchemaDefinition = {
  name: 'proxy-cache',
  priority: 100,
  config: ProxyCacheConfigSchema,
  protocols: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'],
  check(config) {
    const c = config as ProxyCacheConfig;
    const errors = new CheckErrors();
    if (!(c.cache_ttl > 0)) errors.field(['cache_ttl'], gtMessage(0));
    return errors.result();
  },
};
