// Turns a TypeBox (JSON Schema) entity schema into a tree of checkers, once, at
// start-up. Each checker returns the normalized value (defaults filled, sets
// de-duplicated) or Kong's per-field error: a string for a scalar, an array
// (null where an element is fine) for arrays, an object for records and maps.
import { Msg } from './messages.js';

/** Kong's shape of a field error. */
export type FieldError = string | null | FieldError[] | { [key: string]: FieldError };

export type Checked = { ok: true; value: unknown } | { ok: false; error: FieldError };

/** A Kong custom validator: returns an error message or undefined. */
export type CustomCheck = (value: never) => string | undefined;

/**
 * Custom checks keyed by field path: `name`, `paths.*` (each element),
 * `headers.@key` / `headers.@value` (map keys and values), `sources.*.ip`.
 */
export type CustomChecks = Readonly<Record<string, CustomCheck>>;

export type NodeKind = 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'array' | 'set' | 'record' | 'map' | 'any';

export interface Node {
  readonly kind: NodeKind;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  readonly default: unknown;
  /** For enums: the scalar kind of the options (string or integer). */
  readonly base?: NodeKind;
  readonly fields?: ReadonlyMap<string, Node>;
  /** Record fields that may be absent (TypeBox Optional). */
  readonly optional?: ReadonlySet<string>;
  readonly elements?: Node;
  readonly values?: Node;
  /** Checks a value that is neither undefined nor (for nullable nodes) null. */
  check(value: unknown): Checked;
}

type Json = Record<string, unknown>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string): boolean => UUID_RE.test(v);

const ok = (value: unknown): Checked => ({ ok: true, value });
const fail = (error: FieldError): Checked => ({ ok: false, error });
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Compiles `schema`; `checks` adds Kong's custom validators by field path. */
export function compileSchema(schema: unknown, checks: CustomChecks = {}): Node {
  return compile(schema as Json, '', checks);
}

function compile(schema: Json, path: string, checks: CustomChecks): Node {
  const dflt = schema['default'];
  const hasDefault = dflt !== undefined;
  const anyOf = schema['anyOf'] as Json[] | undefined;
  if (anyOf) {
    const members = anyOf.filter((m) => m['type'] !== 'null');
    const nullable = members.length !== anyOf.length;
    const consts = flattenConsts(members);
    if (consts) return withMeta(enumNode(consts, path, checks), nullable, hasDefault, dflt);
    if (members.length === 1) {
      const inner = compile(members[0]!, path, checks);
      return withMeta(inner, nullable || inner.nullable, hasDefault || inner.hasDefault, hasDefault ? dflt : inner.default);
    }
    return withMeta(anyNode(), nullable, hasDefault, dflt);
  }
  if (schema['const'] !== undefined) return withMeta(enumNode([schema['const']], path, checks), false, hasDefault, dflt);
  const custom = checks[path] as ((v: unknown) => string | undefined) | undefined;
  switch (schema['type']) {
    case 'string':
      return withMeta(stringNode(schema, custom), false, hasDefault, dflt);
    case 'integer':
    case 'number':
      return withMeta(numberNode(schema, schema['type'], custom), false, hasDefault, dflt);
    case 'boolean':
      return withMeta({ kind: 'boolean', check: (v) => (typeof v === 'boolean' ? ok(v) : fail(Msg.BOOLEAN)) }, false, hasDefault, dflt);
    case 'array':
      return withMeta(arrayNode(schema, path, checks, custom), false, hasDefault, dflt);
    case 'object':
      if (schema['properties']) return withMeta(recordNode(schema, path, checks), false, hasDefault, dflt);
      return withMeta(mapNode(schema, path, checks), false, hasDefault, dflt);
    default:
      return withMeta(anyNode(), false, hasDefault, dflt);
  }
}

type Bare = Omit<Node, 'nullable' | 'hasDefault' | 'default'>;

function withMeta(node: Bare, nullable: boolean, hasDefault: boolean, dflt: unknown): Node {
  return { ...node, check: node.check, nullable, hasDefault, default: dflt };
}

function flattenConsts(members: Json[]): unknown[] | null {
  const out: unknown[] = [];
  for (const m of members) {
    if (m['const'] !== undefined) out.push(m['const']);
    else if (Array.isArray(m['anyOf'])) {
      const inner = flattenConsts(m['anyOf'] as Json[]);
      if (!inner) return null;
      out.push(...inner);
    } else return null;
  }
  return out.length > 0 ? out : null;
}

function anyNode(): Bare {
  return { kind: 'any', check: ok };
}

function enumNode(options: unknown[], path: string, checks: CustomChecks): Bare {
  const numeric = options.every((o) => typeof o === 'number');
  const base: NodeKind = numeric ? 'integer' : 'string';
  const allowed = new Set(options);
  const message = Msg.oneOf(options);
  const custom = checks[path] as ((v: unknown) => string | undefined) | undefined;
  return {
    kind: 'enum',
    base,
    check: (v) => {
      if (numeric ? !Number.isInteger(v) : typeof v !== 'string') return fail(numeric ? Msg.INTEGER : Msg.STRING);
      if (!allowed.has(v)) return fail(message);
      const err = custom?.(v);
      return err === undefined ? ok(v) : fail(err);
    },
  };
}

function stringNode(schema: Json, custom: ((v: unknown) => string | undefined) | undefined): Bare {
  const isUuidField = schema['format'] === 'uuid';
  const min = schema['minLength'] as number | undefined;
  const max = schema['maxLength'] as number | undefined;
  const pattern = typeof schema['pattern'] === 'string' ? new RegExp(schema['pattern']) : undefined;
  return {
    kind: 'string',
    check: (v) => {
      if (typeof v !== 'string') return fail(Msg.STRING);
      if (isUuidField && !isUuid(v)) return fail(Msg.UUID);
      if (min !== undefined && v.length < min) return fail(Msg.lenMin(min));
      if (max !== undefined && v.length > max) return fail(Msg.lenMax(max));
      if (pattern && !pattern.test(v)) return fail(Msg.match(v));
      const err = custom?.(v);
      return err === undefined ? ok(v) : fail(err);
    },
  };
}

function numberNode(schema: Json, type: 'integer' | 'number', custom: ((v: unknown) => string | undefined) | undefined): Bare {
  const min = schema['minimum'] as number | undefined;
  const max = schema['maximum'] as number | undefined;
  const range =
    min !== undefined && max !== undefined ? Msg.between(min, max) : min !== undefined ? Msg.gt(min - 1) : max !== undefined ? Msg.between(-Infinity, max) : '';
  return {
    kind: type,
    check: (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return fail(type === 'integer' ? Msg.INTEGER : Msg.NUMBER);
      if (type === 'integer' && !Number.isInteger(v)) return fail(Msg.INTEGER);
      if ((min !== undefined && v < min) || (max !== undefined && v > max)) return fail(range);
      const err = custom?.(v);
      return err === undefined ? ok(v) : fail(err);
    },
  };
}

function arrayNode(schema: Json, path: string, checks: CustomChecks, custom: ((v: unknown) => string | undefined) | undefined): Bare {
  // Kong calls an array of unique items a "set" (protocols, methods, tags, snis).
  const isSet = schema['uniqueItems'] === true;
  const elements = compile((schema['items'] as Json | undefined) ?? {}, `${path}.*`, checks);
  const min = schema['minItems'] as number | undefined;
  const max = schema['maxItems'] as number | undefined;
  return {
    kind: isSet ? 'set' : 'array',
    elements,
    check: (v) => {
      if (!Array.isArray(v)) return fail(isSet ? Msg.SET : Msg.ARRAY);
      let out: unknown[] = [];
      let errors: FieldError[] | undefined;
      v.forEach((item, i) => {
        const r = elements.check(item);
        if (r.ok) out.push(r.value);
        else (errors ??= new Array<FieldError>(v.length).fill(null))[i] = r.error;
      });
      if (errors) return fail(errors);
      // Kong de-duplicates sets rather than refusing repeated members.
      if (isSet) out = [...new Set(out)];
      if (min !== undefined && out.length < min) return fail(Msg.lenMin(min));
      if (max !== undefined && out.length > max) return fail(Msg.lenMax(max));
      const err = custom?.(out);
      return err === undefined ? ok(out) : fail(err);
    },
  };
}

function recordNode(schema: Json, path: string, checks: CustomChecks): Bare {
  const props = schema['properties'] as Record<string, Json>;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  const fields = new Map<string, Node>();
  for (const [name, sub] of Object.entries(props)) fields.set(name, compile(sub, path ? `${path}.${name}` : name, checks));
  const optional = new Set([...fields.keys()].filter((k) => !required.has(k)));
  return {
    kind: 'record',
    fields,
    optional,
    check: (v) => {
      if (!isPlainObject(v)) return fail(Msg.RECORD);
      return checkFields(fields, optional, v);
    },
  };
}

/** Validates an object against record fields: unknown fields, presence, defaults, each field. */
export function checkFields(fields: ReadonlyMap<string, Node>, optional: ReadonlySet<string>, v: Record<string, unknown>): Checked {
  const out: Record<string, unknown> = {};
  let errors: Record<string, FieldError> | undefined;
  for (const key of Object.keys(v)) if (!fields.has(key)) (errors ??= {})[key] = Msg.UNKNOWN;
  for (const [name, node] of fields) {
    const given = v[name];
    if (given === undefined || given === null) {
      if (given === undefined && node.hasDefault) out[name] = fillDefault(node);
      else if (given === undefined && optional.has(name)) continue;
      else if (node.nullable) out[name] = null;
      else (errors ??= {})[name] = Msg.REQUIRED;
      continue;
    }
    const r = node.check(given);
    if (r.ok) out[name] = r.value;
    else (errors ??= {})[name] = r.error;
  }
  return errors ? fail(errors) : ok(out);
}

function mapNode(schema: Json, path: string, checks: CustomChecks): Bare {
  const pp = schema['patternProperties'] as Record<string, Json> | undefined;
  const valueSchema = pp ? Object.values(pp)[0] : (schema['additionalProperties'] as Json | undefined);
  const values = compile(typeof valueSchema === 'object' && valueSchema ? valueSchema : {}, `${path}.@value`, checks);
  const keyCheck = checks[`${path}.@key`] as ((k: string) => string | undefined) | undefined;
  return {
    kind: 'map',
    values,
    check: (v) => {
      if (!isPlainObject(v)) return fail(Msg.MAP);
      const out: Record<string, unknown> = {};
      let errors: Record<string, FieldError> | undefined;
      for (const [k, item] of Object.entries(v)) {
        const keyErr = keyCheck?.(k);
        if (keyErr !== undefined) {
          (errors ??= {})[k] = keyErr;
          continue;
        }
        const r = values.check(item);
        if (r.ok) out[k] = r.value;
        else (errors ??= {})[k] = r.error;
      }
      return errors ? fail(errors) : ok(out);
    },
  };
}

/**
 * A record's default is run through the record itself, so `default: {}` yields
 * every nested default (Kong's upstream healthchecks are built that way).
 */
function fillDefault(node: Node): unknown {
  const value = structuredClone(node.default);
  if (node.kind !== 'record' || typeof value !== 'object' || value === null) return value;
  const r = node.check(value);
  return r.ok ? r.value : value;
}
