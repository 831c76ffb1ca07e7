// Label values as Kong's exporter picks them (kong/plugins/prometheus/
// exporter.lua, handler.lua): a service by name or else its host, a route by
// name or else its id, a consumer by username or else its custom_id (Kong
// 3.11.0.3+; earlier releases wrote '' for a consumer without a username).
import type { CompiledConsumer, CompiledRoute, CompiledService } from '../../compile/types.js';

export const serviceLabel = (s: CompiledService): string => s.name ?? s.host;

export const routeLabel = (r: CompiledRoute): string => r.name ?? r.id;

export const consumerLabel = (c: CompiledConsumer): string => c.username ?? c.customId ?? '';
