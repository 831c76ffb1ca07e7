// The store → a `_format_version: "3.0"` document, laid out like `deck dump`:
// routes under their service, targets under their upstream, credentials and
// consumer plugins under their consumer, snis under their certificate;
// references by name where the target has one; ids kept and timestamps left
// out. Output is deterministic (entities sorted by name, then id) and an
// apply of it is an exact no-op, so dump → apply → dump is byte-identical.
import { stringify } from 'yaml';
import { ENTITY_VALIDATORS, RESOURCE_TYPES, type EntityValidator, type ResourceType } from '@portico/shared';
import type { EntityBody, Store } from '../store/store.js';
import { ENTITY_TABLES } from '../store/tables.js';
import { FORMAT_VERSION } from './flatten.js';
import { EXPORT_NESTING, displayName, isObject } from './relations.js';

type Doc = Record<string, unknown>;
const validators = ENTITY_VALIDATORS as Partial<Record<ResourceType, EntityValidator<unknown>>>;
const TIMESTAMPS = new Set(['created_at', 'updated_at']);

export function exportDocument(store: Pick<Store, 'all'>): Doc {
  const rows = new Map<ResourceType, EntityBody[]>();
  const byId = new Map<string, EntityBody>();
  for (const type of RESOURCE_TYPES) {
    const list = store.all(type).map((r) => JSON.parse(r.body) as EntityBody);
    list.sort((a, b) => cmp(displayName(type, a), displayName(type, b)) || cmp(a.id, b.id));
    rows.set(type, list);
    for (const e of list) byId.set(`${type}/${e.id}`, e);
  }
  /** A reference as the document writes it: the target's unique name, else its id. */
  const refOf = (type: ResourceType, id: string): string => {
    const target = byId.get(`${type}/${id}`);
    const key = ENTITY_TABLES[type].endpointKey;
    const v = target && key && ENTITY_TABLES[type].unique.includes(key) && type !== 'keyauth_credentials' && type !== 'jwt_secrets' ? target[key] : undefined;
    return typeof v === 'string' ? v : id;
  };

  // Secrets are exported as stored (basic-auth passwords hashed): tell apply not to hash again, as Kong's export does.
  const doc: Doc = { _format_version: FORMAT_VERSION, _transform: false };
  const out = new Map<string, Doc>();
  for (const type of RESOURCE_TYPES) {
    const table = ENTITY_TABLES[type];
    for (const e of rows.get(type)!) {
      const parentField = nestField(type, e);
      const parentRef = parentField ? (e[parentField] as { id: string }) : undefined;
      const parentType = parentField ? table.foreign.find((f) => f.field === parentField)!.references : undefined;
      const parentOut = parentType && parentRef ? out.get(`${parentType}/${parentRef.id}`) : undefined;
      const o: Doc = {};
      for (const [field, value] of Object.entries(e)) {
        if (TIMESTAMPS.has(field)) continue;
        if (parentOut && field === parentField) continue;
        const fk = table.foreign.find((f) => f.field === field);
        const nested = table.nested.find((n) => n.field === field);
        if (fk && isObject(value) && typeof value['id'] === 'string') o[field] = refOf(fk.references, value['id']);
        else if (isPorticoDefault(type, field, value)) continue;
        else if (nested && value !== null) o[field] = nested.mapRefs(value, (ref) => (isObject(ref) && typeof ref['id'] === 'string' ? refOf(nested.references, ref['id']) : ref));
        else if (value === null && nullIsImplied(type, field)) continue;
        else o[field] = value;
      }
      out.set(`${type}/${e.id}`, o);
      const into = parentOut ?? doc;
      ((into[type] ??= []) as Doc[]).push(o);
    }
  }
  return doc;
}

/** Renders a document as JSON (2-space indent) or YAML, each ending in a newline. */
export function renderDocument(doc: Doc, format: 'json' | 'yaml'): string {
  if (format === 'json') return JSON.stringify(doc, null, 2) + '\n';
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The foreign field `e` nests under on export, if any. */
function nestField(type: ResourceType, e: EntityBody): string | undefined {
  const fields = EXPORT_NESTING[type];
  if (!fields) return undefined;
  const set = fields.filter((f) => isObject(e[f]));
  // A plugin scoped to more than one entity stays top-level, as decK leaves it.
  if (type === 'plugins') return set.length === 1 ? set[0] : undefined;
  return set[0];
}

/**
 * Portico's additions to Kong entities, left out of an export while they hold
 * their defaults: the document then stays one decK and Kong accept, and an
 * apply fills the same defaults back (still a no-op).
 */
const PORTICO_DEFAULTS: Partial<Record<ResourceType, Readonly<Record<string, unknown>>>> = {
  routes: { backends: null, backend_hash_on: 'none', backend_hash_on_header: null, backend_hash_on_cookie: null, mirror: null },
};

function isPorticoDefault(type: ResourceType, field: string, value: unknown): boolean {
  const defaults = PORTICO_DEFAULTS[type];
  return defaults !== undefined && field in defaults && defaults[field] === value;
}

/** A null the validator would restore by itself: nullable, no default, not optional. */
function nullIsImplied(type: ResourceType, field: string): boolean {
  const node = validators[type]?.node;
  const f = node?.fields?.get(field);
  return f !== undefined && f.nullable && !f.hasDefault && !(node?.optional?.has(field) ?? false);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
