// How Kong prints errors (kong/db/errors.lua): Penlight's pretty-printer for
// keys in messages (`{name="x"}`) and the schema-violation message that joins
// every field error, `@entity` ones first, then fields in sorted order.
import type { FieldError } from './compile-schema.js';

/** Field errors of one entity; `@entity` holds the cross-field messages. */
export type FieldErrors = { [field: string]: FieldError } & { '@entity'?: string[] };

/** pl.pretty.write(value, ""): `{name="x"}`, `{"a","b"}`, numbers and booleans bare. */
export function luaPretty(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaPretty).join(',')}}`;
  const parts = Object.keys(value)
    .sort()
    .map((k) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : `["${k}"]`}=${luaPretty((value as Record<string, unknown>)[k])}`);
  return `{${parts.join(',')}}`;
}

/** Kong's `schema violation (…)` / `N schema violations (…; …)` message. */
export function schemaViolationMessage(errors: FieldErrors): string {
  const buf: string[] = [...(errors['@entity'] ?? [])];
  for (const field of Object.keys(errors).sort()) {
    if (field === '@entity') continue;
    const err = errors[field];
    if (err !== null && typeof err === 'object') {
      // Arrays print with Lua's 1-based indexes, as Kong's do (`paths.1: …`).
      const entries: [string, FieldError][] = Array.isArray(err)
        ? err.flatMap((e, i): [string, FieldError][] => (e === null ? [] : [[String(i + 1), e]]))
        : Object.keys(err).sort().map((k): [string, FieldError] => [k, err[k] ?? null]);
      for (const [sub, v] of entries) buf.push(`${field}.${sub}: ${typeof v === 'string' ? v : luaPretty(v)}`);
    } else {
      buf.push(`${field}: ${String(err)}`);
    }
  }
  return buf.length === 1 ? `schema violation (${buf[0]})` : `${buf.length} schema violations (${buf.join('; ')})`;
}
