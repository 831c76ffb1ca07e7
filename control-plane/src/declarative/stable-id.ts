// Deterministic ids for declarative entities given without one, derived the
// way Kong derives them (kong/db/schema/others/declarative_config.lua,
// generate_ids): a UUID v5 in a per-type namespace, named by the entity's
// endpoint key (`orders` for a service), by the endpoint key and its parent
// when the key is only unique per parent (targets), or by Kong's cache key
// (plugins, ACL groups). Re-applying the same file therefore keeps every id,
// and a service named `orders` gets the id Kong would give it. Where Kong
// falls back to a random id (certificates, consumers without a username),
// Portico names the id by a digest of the entity's own fields instead, so a
// re-apply is still a no-op.
import { createHash } from 'node:crypto';
import type { ResourceType } from '@portico/shared';
import { ENTITY_TABLES } from '../store/tables.js';

/** Kong's namespace for declarative entity ids. */
const ENTITIES_NAMESPACE = 'fd02801f-0957-4a15-a55a-c8d9606f30b5';

/** Kong's `cache_key` for the types that have no globally unique endpoint key. */
const CACHE_KEYS: Partial<Record<ResourceType, readonly string[]>> = {
  plugins: ['name', 'route', 'service', 'consumer'],
  acls: ['consumer', 'group'],
};

/** RFC 4122 version-5 (SHA-1, name-based) UUID. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const typeNamespaces = new Map<string, string>();
const typeNamespace = (type: ResourceType): string => {
  let ns = typeNamespaces.get(type);
  if (!ns) typeNamespaces.set(type, (ns = uuidV5(ENTITIES_NAMESPACE, type)));
  return ns;
};

/** The parent an entity was nested under: its foreign field and the parent's id. */
export interface NestedIn {
  field: string;
  id: string;
}

/**
 * The stable id of `item` (its own fields as written in the document, children
 * removed). `parent` is set when the item was nested under another entity.
 */
export function stableId(type: ResourceType, item: Record<string, unknown>, parent?: NestedIn): string {
  return uuidV5(typeNamespace(type), idName(type, item, parent));
}

function idName(type: ResourceType, item: Record<string, unknown>, parent?: NestedIn): string {
  const table = ENTITY_TABLES[type];
  const endpointValue = table.endpointKey ? item[table.endpointKey] : undefined;
  if (typeof endpointValue === 'string') {
    if (table.unique.includes(table.endpointKey!)) return endpointValue;
    // Unique per parent only: compose with the parent (Kong: key .. ":" .. parent pk).
    let key = endpointValue;
    for (const fk of table.foreign) {
      if (fk.onDelete !== 'cascade') continue;
      const ref = parent?.field === fk.field ? parent.id : refText(item[fk.field]);
      if (ref !== undefined) key += `:${ref}`;
    }
    return key;
  }
  const cacheKey = CACHE_KEYS[type];
  if (cacheKey) {
    const parts: string[] = [type];
    for (const field of cacheKey) {
      const v = item[field];
      if (typeof v === 'string') parts.push(v);
      else if (v === undefined || v === null) parts.push(parent?.field === field ? parent.id : '');
      // Kong adds nothing for a table value ({id = …}); neither do we, to stay comparable.
    }
    return parts.join(':');
  }
  return `portico-digest:${createHash('sha256').update(canonicalJson(item)).digest('hex')}`;
}

const refText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined;

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v,
  );
}
