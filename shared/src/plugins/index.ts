// Every plugin this build knows, by Kong name. An unknown name in an admin
// write is a schema violation (Kong: "plugin 'x' not enabled; add it to the
// 'plugins' configuration property").
import type { PluginSchemaDefinition } from './definition.js';
import { KEY_AUTH } from './key-auth.js';
import { PROMETHEUS } from './prometheus.js';
import { PROXY_CACHE } from './proxy-cache.js';
import { RATE_LIMITING } from './rate-limiting.js';

export type { PluginSchemaDefinition, PluginCheckErrors } from './definition.js';
export { KeyAuthConfigSchema, type KeyAuthConfig } from './key-auth.js';
export {
  RateLimitingConfigSchema,
  RATE_LIMIT_PERIODS,
  IMPLEMENTED_RATE_LIMIT_POLICIES,
  type RateLimitingConfig,
  type RateLimitPeriod,
} from './rate-limiting.js';
export { ProxyCacheConfigSchema, type ProxyCacheConfig } from './proxy-cache.js';
export { PrometheusConfigSchema, type PrometheusConfig } from './prometheus.js';

export const PLUGIN_SCHEMAS: ReadonlyMap<string, PluginSchemaDefinition> = new Map<string, PluginSchemaDefinition>(
  [KEY_AUTH, RATE_LIMITING, PROXY_CACHE, PROMETHEUS].map((d) => [d.name, d] as const),
);
