// Plugin entities → plugin instances, each with its scope, ready for the
// per-route resolution in plugins/resolve.ts. The config is checked with the
// plugin's own shared schema (compiled once per plugin name) and its
// cross-field checks, then handed to the plugin's factory, which prepares
// everything the request path needs. An unchanged plugin keeps its instance.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Plugin, PluginCheckErrors } from '@portico/shared';
import { PLUGIN_FACTORIES, PLUGIN_RANK } from '../plugins/registry.js';
import { indexPlugins, type PluginIndex, type ScopedInstance } from '../plugins/resolve.js';
import type { PluginRuntime } from '../plugins/runtime.js';
import { checkRef, invalid } from './invalid.js';
import { shortDigest } from './digest.js';
import { firstViolation } from './schema-check.js';
import type { ConsumerTable } from './types.js';

const configCheckers = new Map<string, TypeCheck<TSchema>>();
for (const [name, f] of PLUGIN_FACTORIES) configCheckers.set(name, TypeCompiler.Compile(f.schema.config));

let serials = 0;

export interface PluginInput {
  readonly entity: Plugin;
  readonly body: string;
}

/**
 * A compiled instance, kept while its stored body is unchanged. Nothing else
 * it depends on changes under it: consumer and credential edits do not
 * replace it (handlers read the request's config for the consumer table), so
 * they leave every route's plugin chain as it was.
 */
export interface PreviousPlugin {
  readonly body: string;
  readonly scoped: ScopedInstance;
}

export interface CompiledPlugins {
  readonly index: PluginIndex;
  /** Enabled plugin ids (runtime stores keep only these). */
  readonly ids: ReadonlySet<string>;
  readonly reusable: ReadonlyMap<string, PreviousPlugin>;
}

export interface PluginRefs {
  readonly routes: { has(id: string): boolean };
  readonly services: { has(id: string): boolean };
  readonly consumers: ConsumerTable;
}

export function compilePlugins(
  plugins: ReadonlyMap<string, PluginInput>,
  refs: PluginRefs,
  runtime: PluginRuntime,
  previous: ReadonlyMap<string, PreviousPlugin> | undefined,
): CompiledPlugins {
  const scoped: ScopedInstance[] = [];
  const reusable = new Map<string, PreviousPlugin>();
  const ids = new Set<string>();
  const seen = new Map<string, string>();
  for (const [id, { entity: p, body }] of plugins) {
    checkRef('plugins', id, 'route', 'routes', p.route, refs.routes);
    checkRef('plugins', id, 'service', 'services', p.service, refs.services);
    checkRef('plugins', id, 'consumer', 'consumers', p.consumer, refs.consumers.byId);
    const factory = PLUGIN_FACTORIES.get(p.name);
    if (factory === undefined) invalid(`plugin '${id}': name: plugin '${p.name}' is not available on this data plane`);
    const schema = factory!.schema;
    if (schema.noConsumer && p.consumer !== null) invalid(`plugin '${id}' (${p.name}): consumer: value must be null`);
    if (schema.noRoute && p.route !== null) invalid(`plugin '${id}' (${p.name}): route: value must be null`);
    if (schema.noService && p.service !== null) invalid(`plugin '${id}' (${p.name}): service: value must be null`);
    // Kong: one instance of a plugin per scope (unique on name + route + service + consumer).
    const scopeKey = `${p.name}|${p.route?.id ?? ''}|${p.service?.id ?? ''}|${p.consumer?.id ?? ''}`;
    if (seen.has(scopeKey)) invalid(`plugin '${id}' (${p.name}): plugin '${seen.get(scopeKey)}' already has this name and scope`);
    seen.set(scopeKey, id);
    if (!p.enabled) continue;
    ids.add(id);

    const old = previous?.get(id);
    if (old !== undefined && old.body === body) {
      reusable.set(id, old);
      scoped.push(old.scoped);
      continue;
    }
    const violation = firstViolation(configCheckers.get(p.name)!, p.config);
    if (violation !== null) invalid(`plugin '${id}' (${p.name}): config.${violation}`);
    const errors = schema.check?.(p.config) ?? null;
    if (errors !== null) invalid(`plugin '${id}' (${p.name}): ${describe(errors)}`);
    const configDigest = shortDigest(JSON.stringify(p.config));
    const instance = factory!.create(p.config, { pluginId: id, configDigest, runtime });
    if (typeof instance === 'string') invalid(`plugin '${id}' (${p.name}): ${instance}`);
    const s: ScopedInstance = Object.freeze({
      pluginId: id,
      name: p.name,
      rank: PLUGIN_RANK.get(p.name)!,
      routeId: p.route?.id ?? null,
      serviceId: p.service?.id ?? null,
      consumerId: p.consumer?.id ?? null,
      protocols: new Set(p.protocols),
      instance: instance as Exclude<typeof instance, string>,
      serial: ++serials,
    });
    reusable.set(id, { body, scoped: s });
    scoped.push(s);
  }
  return { index: indexPlugins(scoped), ids, reusable };
}

/** Check errors as one line: `config.redis.host: required field missing; @entity: …`. */
export function describe(errors: PluginCheckErrors): string {
  const out: string[] = [];
  for (const m of errors['@entity'] ?? []) out.push(m);
  if (errors['@config'] !== undefined) out.push(`config: ${errors['@config']}`);
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') out.push(`${path}: ${node}`);
    else if (Array.isArray(node)) node.forEach((v, i) => v !== null && walk(v, `${path}.${i + 1}`));
    else if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
  };
  for (const [k, v] of Object.entries(errors)) if (k !== '@entity' && k !== '@config') walk(v, `config.${k}`);
  return out.join('; ');
}
