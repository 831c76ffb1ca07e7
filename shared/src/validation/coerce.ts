// Kong's `infer_value` (kong/api/arguments.lua): form-encoded and query-string
// values arrive as strings, so they are turned into what the schema expects
// before validation. JSON bodies are never coerced (Kong does not either).
import type { Node } from './compile-schema.js';

export function coerce(node: Node, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  // An empty form value means "unset" in Kong (`--data name=`).
  if (value === '') return null;
  const kind = node.kind === 'enum' ? node.base : node.kind;
  switch (kind) {
    case 'integer':
    case 'number':
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'array':
    case 'set': {
      const list = Array.isArray(value) ? value : [value];
      return node.elements ? list.map((v: unknown) => coerce(node.elements!, v)) : list;
    }
    case 'record':
      return isObject(value) && node.fields ? coerceFields(node.fields, value) : value;
    case 'map':
      if (!isObject(value) || !node.values) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(node.values!, v)]));
    default:
      return value;
  }
}

/** Coerces the known fields of a decoded form body; unknown ones pass through for the validator to name. */
export function coerceFields(fields: ReadonlyMap<string, Node>, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const node = fields.get(k);
    out[k] = node ? coerce(node, v) : v;
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
