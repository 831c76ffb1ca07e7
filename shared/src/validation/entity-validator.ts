// One validator per entity type, compiled once from the entity's TypeBox
// schema plus Kong's custom field checks, shorthands and entity checks. The
// admin API and the declarative loader both call validate(); nothing here
// touches storage, so foreign-key existence is the store's job.
import { randomUUID } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import { checkFields, compileSchema, type CustomChecks, type Node } from './compile-schema.js';
import { coerceFields } from './coerce.js';
import type { FieldErrors } from './kong-format.js';
import { Msg } from './messages.js';

export type Body = Record<string, unknown>;

export interface EntityDefinition {
  readonly name: string;
  readonly schema: TSchema;
  readonly checks?: CustomChecks;
  /** Kong's shorthand fields (services' `url`): rewrite the input before validation. */
  readonly shorthands?: (input: Body) => { input: Body; errors?: FieldErrors };
  /** Cross-field checks on a field-valid entity; may adjust defaults that depend on other fields. */
  readonly entityChecks?: (entity: Body, input: Body) => FieldErrors | undefined;
}

export type ValidationResult<T> = { ok: true; entity: T } | { ok: false; fields: FieldErrors };

export interface ValidateOptions {
  /** Fill `id` (UUID v4), `created_at` and `updated_at` (seconds) when absent. */
  auto?: { now: number };
}

export interface EntityValidator<T> {
  readonly name: string;
  /** The TypeBox schema it was compiled from (rendered by `GET /schemas/{entity}`). */
  readonly schema: TSchema;
  /** The compiled record node (for coercion and merging). */
  readonly node: Node;
  /** Kong's infer_value for form-encoded bodies: strings to the schema's types. */
  coerce(body: Body, existing?: Body): Body;
  /** Applies shorthands (e.g. `url`), reporting their own errors. */
  expand(body: Body): { input: Body; errors?: FieldErrors };
  /** Validates a whole entity: unknown fields, types, defaults, Kong's entity checks. */
  validate(input: Body, opts?: ValidateOptions): ValidationResult<T>;
  /** PATCH semantics: top-level fields replace, nested records merge (Kong's merge_values). */
  merge(existing: Body, patch: Body): Body;
}

export function createEntityValidator<T>(def: EntityDefinition): EntityValidator<T> {
  const node = compileSchema(def.schema, def.checks ?? {});
  if (node.kind !== 'record' || !node.fields || !node.optional) throw new Error(`${def.name}: entity schema must be an object`);
  const fields = node.fields;
  const optional = node.optional;
  const expand = (body: Body) => (def.shorthands ? def.shorthands(body) : { input: body });

  return {
    name: def.name,
    schema: def.schema,
    node,
    coerce: (body) => coerceFields(fields, body),
    expand,
    validate(raw, opts = {}) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, fields: { '@entity': [Msg.BAD_INPUT] } };
      const { input, errors: shorthandErrors } = expand(raw);
      if (shorthandErrors) return { ok: false, fields: shorthandErrors };
      const body = opts.auto ? withAuto(input, opts.auto.now, fields) : input;
      const r = checkFields(fields, optional, body);
      if (!r.ok) return { ok: false, fields: r.error as FieldErrors };
      const entity = r.value as Body;
      const entityErrors = def.entityChecks?.(entity, body);
      if (entityErrors) return { ok: false, fields: entityErrors };
      return { ok: true, entity: entity as T };
    },
    merge(existing, patch) {
      const out: Body = { ...existing };
      for (const [k, v] of Object.entries(patch)) {
        const f = fields.get(k);
        const old = existing[k];
        out[k] = f?.kind === 'record' && isObject(v) && isObject(old) ? { ...old, ...v } : v;
      }
      return out;
    },
  };
}

/** Kong's auto fields, for the ones the entity has (credentials have no updated_at). */
function withAuto(input: Body, now: number, fields: ReadonlyMap<string, Node>): Body {
  const out: Body = { ...input, id: input['id'] ?? randomUUID() };
  for (const f of ['created_at', 'updated_at']) if (fields.has(f)) out[f] = input[f] ?? now;
  return out;
}

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
