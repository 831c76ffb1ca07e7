// The declarative loader's error catalog and Kong's declarative error body
// (kong/db/errors.lua `declarative_config` / `declarative_config_flattened`):
//   400 {"code":14,"name":"invalid declarative configuration",
//        "message":"declarative config is invalid: {services={{host=\"required field missing\"}}}",
//        "fields":{…the same tree…},"flattened_errors":[{entity_type, entity_name, entity, errors:[…]}]}
// `fields` mirrors the document: collections are arrays with null where an
// entry is fine, nested children sit inside their parent's entry.
import { defineError, PorticoError, type FieldError, type FieldErrors } from '@portico/shared';

export const DeclarativeErrors = {
  INVALID: defineError('PORTICO_ERR_DECLARATIVE_INVALID', 400, 'invalid declarative configuration'),
} as const;

/** Kong's numeric code for declarative errors. */
export const KONG_DECLARATIVE_CODE = 14;

export type ErrorTree = { [key: string]: unknown };

export interface FlattenedError {
  entity_type: string;
  entity_name?: string;
  entity_id?: string;
  entity_tags?: string[];
  entity: Record<string, unknown>;
  errors: ({ type: 'field'; field: string; message: string } | { type: 'entity'; message: string })[];
}

export function invalidConfig(fields: ErrorTree, flattened: FlattenedError[] = []): PorticoError {
  return new PorticoError(DeclarativeErrors.INVALID, `declarative config is invalid: ${luaPretty(fields)}`, { fields, flattened_errors: flattened });
}

/** Kong's response body for a declarative error. */
export function declarativeBody(err: PorticoError): Record<string, unknown> {
  return {
    code: KONG_DECLARATIVE_CODE,
    name: DeclarativeErrors.INVALID.message,
    message: err.message,
    fields: err.detail?.['fields'] ?? {},
    flattened_errors: err.detail?.['flattened_errors'] ?? [],
  };
}

/** Sets `value` at `path` in the tree; numeric segments are 0-based array slots. */
export function setAt(tree: ErrorTree, path: readonly (string | number)[], value: unknown): void {
  let node: unknown = tree;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    const nextIsIndex = typeof path[i + 1] === 'number';
    const container = node as Record<string | number, unknown> & unknown[];
    if (last) {
      const prev = container[seg];
      container[seg] = isRecord(prev) && isRecord(value) ? mergeErrors(prev, value) : value;
      return;
    }
    if (container[seg] === undefined || container[seg] === null) {
      if (Array.isArray(container) && typeof seg === 'number') while (container.length < seg) container.push(null);
      container[seg] = nextIsIndex ? [] : {};
    }
    node = container[seg];
  });
  fillHoles(tree);
}

/** Merges two entity error records; `@entity` messages accumulate. */
function mergeErrors(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a, ...b };
  if (Array.isArray(a['@entity']) && Array.isArray(b['@entity'])) out['@entity'] = [...(a['@entity'] as unknown[]), ...(b['@entity'] as unknown[])];
  return out;
}

function fillHoles(v: unknown): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (v[i] === undefined) v[i] = null;
    v.forEach(fillHoles);
  } else if (isRecord(v)) Object.values(v).forEach(fillHoles);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Penlight's pretty.write(t, ""), as Kong prints the tree: an array's leading
 * run is written bare (`{{…},{…}}`), later slots as `[i]=` with Lua's 1-based
 * index, then string keys in order.
 */
export function luaPretty(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  const parts: string[] = [];
  if (Array.isArray(v)) {
    let i = 0;
    while (i < v.length && v[i] !== null) parts.push(luaPretty(v[i++]));
    for (; i < v.length; i++) if (v[i] !== null) parts.push(`[${i + 1}]=${luaPretty(v[i])}`);
  } else {
    for (const k of Object.keys(v).sort()) parts.push(`${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : `[${JSON.stringify(k)}]`}=${luaPretty((v as Record<string, unknown>)[k])}`);
  }
  return `{${parts.join(',')}}`;
}

/** One entity's field errors as Kong's flattened list (`config.minute`, `paths.1`). */
export function flattenFieldErrors(errors: FieldErrors | FieldError, ns = ''): FlattenedError['errors'] {
  const out: FlattenedError['errors'] = [];
  const walk = (err: unknown, path: string): void => {
    if (typeof err === 'string') out.push({ type: 'field', field: path, message: err });
    else if (Array.isArray(err)) err.forEach((e, i) => e !== null && walk(e, join(path, String(i + 1))));
    else if (isRecord(err)) for (const k of Object.keys(err).sort()) k === '@entity' ? entity(err[k]) : walk(err[k], join(path, k));
  };
  const entity = (e: unknown) => {
    for (const m of Array.isArray(e) ? e : [e]) out.push({ type: 'entity', message: String(m) });
  };
  walk(errors, ns);
  return out;
}

const join = (ns: string, field: string) => (ns === '' ? field : `${ns}.${field}`);
