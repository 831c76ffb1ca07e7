// prometheus's config (Kong 3.x kong/plugins/prometheus/schema.lua): which
// per-request metrics to record. Every switch is off by default, as in Kong,
// because each adds series per service × route (× status × consumer). Kong's
// schema sets no scope restriction (global, service, route and consumer are
// all allowed) and takes every protocol. `ai_metrics` is accepted so a Kong
// 3.8+ config round-trips; Portico has no AI proxy plugins, so, as on a Kong
// node without them, it records nothing.
import { Type, type Static } from '@sinclair/typebox';
import { PROTOCOLS } from '../entities/common.js';
import type { PluginSchemaDefinition } from './definition.js';

export const PrometheusConfigSchema = Type.Object(
  {
    /** Fill the `consumer` label of kong_http_requests_total and kong_bandwidth_bytes. */
    per_consumer: Type.Boolean({ default: false }),
    /** kong_http_requests_total. */
    status_code_metrics: Type.Boolean({ default: false }),
    ai_metrics: Type.Boolean({ default: false }),
    /** kong_kong_latency_ms, kong_upstream_latency_ms, kong_request_latency_ms. */
    latency_metrics: Type.Boolean({ default: false }),
    /** kong_bandwidth_bytes. */
    bandwidth_metrics: Type.Boolean({ default: false }),
    /** kong_upstream_target_health (exported when any enabled instance asks for it). */
    upstream_health_metrics: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
export type PrometheusConfig = Static<typeof PrometheusConfigSchema>;

export const PROMETHEUS: PluginSchemaDefinition = {
  name: 'prometheus',
  priority: 13,
  config: PrometheusConfigSchema,
  protocols: PROTOCOLS,
};
