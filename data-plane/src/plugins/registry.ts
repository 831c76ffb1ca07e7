// The data-plane half of every plugin this build runs, by Kong name, plus
// Kong's execution order: priority descending (PLUGIN_SCHEMAS carries Kong's
// numbers), ties by name so the order never depends on insertion.
import { PLUGIN_SCHEMAS, type KeyAuthConfig, type PrometheusConfig, type ProxyCacheConfig, type RateLimitingConfig } from '@portico/shared';
import { createKeyAuth } from './key-auth/handler.js';
import { createPrometheus } from './prometheus/handler.js';
import { createProxyCache } from './proxy-cache/handler.js';
import { createRateLimiting } from './rate-limiting/handler.js';
import type { PluginFactory } from './types.js';

function factory<C>(name: string, create: PluginFactory<C>['create']): PluginFactory {
  const schema = PLUGIN_SCHEMAS.get(name);
  if (schema === undefined) throw new Error(`plugin '${name}' has no shared schema`);
  return { schema, create: create as PluginFactory['create'] };
}

export const PLUGIN_FACTORIES: ReadonlyMap<string, PluginFactory> = new Map(
  [
    factory<KeyAuthConfig>('key-auth', createKeyAuth),
    factory<RateLimitingConfig>('rate-limiting', createRateLimiting),
    factory<ProxyCacheConfig>('proxy-cache', createProxyCache),
    factory<PrometheusConfig>('prometheus', createPrometheus),
  ].map((f) => [f.schema.name, f] as const),
);

/** Plugin name → rank in Kong's run order (0 runs first). */
export const PLUGIN_RANK: ReadonlyMap<string, number> = new Map(
  [...PLUGIN_FACTORIES.values()]
    .map((f) => f.schema)
    .sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1))
    .map((s, i) => [s.name, i] as const),
);
