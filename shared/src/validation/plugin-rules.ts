// Kong's plugins entity (kong/db/schema/plugin_loader.lua, dao/plugins.lua):
// the entity's `config`, scopes and protocols are checked against the named
// plugin's own definition from the registry. Config schemas are compiled once
// per registry, when the validator is made.
import type { PluginSchemaDefinition } from '../plugins/definition.js';
import { PluginSchema, type Plugin } from '../entities/plugin.js';
import { coerce } from './coerce.js';
import { compileSchema, type Node } from './compile-schema.js';
import { createEntityValidator, type Body, type EntityValidator } from './entity-validator.js';
import { checkName, checkTag } from './field-checks.js';
import type { FieldErrors } from './kong-format.js';
import { Msg } from './messages.js';

export type PluginRegistry = ReadonlyMap<string, PluginSchemaDefinition>;

/** Kong's typedefs.protocols_http: what a plugin accepts when its definition does not say. */
export const HTTP_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] as const;
const DEFAULT_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'];

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Kong's merge_values: records merge key by key, everything else replaces. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return patch;
  const out: Body = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(base[k], v);
  return out;
}

export interface PluginValidator extends EntityValidator<Plugin> {
  readonly registry: PluginRegistry;
  /** The compiled config node of a registered plugin. */
  configNode(name: string): Node | undefined;
}

export function createPluginValidator(registry: PluginRegistry): PluginValidator {
  const nodes = new Map<string, Node>();
  for (const [name, def] of registry) nodes.set(name, compileSchema(def.config));

  function entityChecks(entity: Body, input: Body): FieldErrors | undefined {
    const name = entity['name'] as string;
    const def = registry.get(name);
    const node = nodes.get(name);
    if (!def || !node) return { name: Msg.pluginNotEnabled(name) };
    const errors: FieldErrors = {};
    if (def.noConsumer && entity['consumer'] !== null) errors['consumer'] = Msg.eqNull;
    if (def.noRoute && entity['route'] !== null) errors['route'] = Msg.eqNull;
    if (def.noService && entity['service'] !== null) errors['service'] = Msg.eqNull;

    const allowed: readonly string[] = def.protocols ?? HTTP_PROTOCOLS;
    if (input['protocols'] === undefined || input['protocols'] === null) {
      const dflt = DEFAULT_PROTOCOLS.filter((p) => allowed.includes(p));
      entity['protocols'] = dflt.length > 0 ? dflt : [...allowed];
    } else {
      const protocols = entity['protocols'] as string[];
      if (protocols.some((p) => !allowed.includes(p))) errors['protocols'] = protocols.map((p) => (allowed.includes(p) ? null : Msg.oneOf(allowed)));
    }

    const checked = node.check(entity['config'] ?? {});
    if (!checked.ok) errors['config'] = checked.error;
    else {
      entity['config'] = checked.value;
      const cross = def.check?.(checked.value as Record<string, unknown>);
      if (cross) liftCrossFieldErrors(errors, cross);
    }
    return Object.keys(errors).length > 0 ? errors : undefined;
  }

  const base = createEntityValidator<Plugin>({
    name: 'plugins',
    schema: PluginSchema,
    checks: { instance_name: checkName, 'tags.*': checkTag },
    entityChecks,
  });

  return {
    ...base,
    registry,
    configNode: (name) => nodes.get(name),
    coerce(body, existing) {
      const out = base.coerce(body);
      const name = out['name'] ?? existing?.['name'];
      const node = typeof name === 'string' ? nodes.get(name) : undefined;
      if (node && out['config'] !== undefined) out['config'] = coerce(node, out['config']);
      return out;
    },
    merge(existing, patch) {
      const out = base.merge(existing, patch);
      if (patch['config'] !== undefined) out['config'] = deepMerge(existing['config'], patch['config']);
      return out;
    },
  };
}

/**
 * A plugin's cross-field check reports Kong's two special places with reserved
 * keys: `@entity` messages belong at the top of the plugin's `fields` (Kong:
 * `{"@entity":["at least one of these fields must be non-empty: …"]}`) and an
 * `@config` message is the whole `config` field's error (Kong:
 * `{"config":"The limit for hour(2.0) cannot be lower than …"}`). Every other
 * key is a field inside `config`.
 */
function liftCrossFieldErrors(errors: FieldErrors, cross: Record<string, unknown>): void {
  const { '@entity': entity, '@config': config, ...fields } = cross;
  if (Array.isArray(entity) && entity.length > 0) errors['@entity'] = [...(errors['@entity'] ?? []), ...(entity as string[])];
  if (typeof config === 'string') errors['config'] = config;
  else if (Object.keys(fields).length > 0) errors['config'] = fields as FieldErrors;
}
