// How each entity type maps onto SQLite. The body column holds the entity as
// JSON (every field present); the other columns exist so SQLite itself enforces
// uniqueness and foreign keys, and so look-ups by endpoint key are indexed.
import type { ResourceType } from '@portico/shared';

export interface ForeignColumn {
  /** Field in the entity body holding `{ id }`. */
  field: string;
  column: string;
  references: ResourceType;
  /** Kong's on_delete for this foreign key. */
  onDelete: 'restrict' | 'cascade' | 'null';
}

/**
 * References held inside a body field rather than in a top-level foreign key
 * (a route's `backends[].service`, `mirror.service`). The store keeps them in
 * a join table, rewritten inside every write of the owning row, whose SQLite
 * foreign keys make them restrict deletes like Kong's `@referenced_by`.
 */
export interface NestedRef {
  /** Body field holding the references. */
  field: string;
  references: ResourceType;
  /** The referenced ids in a body (de-duplicated by the store). */
  ids(body: Record<string, unknown>): string[];
  /**
   * The field's value with each reference replaced by `fn(ref, at)` (`at`
   * names it for messages: `backends[2].service`). Malformed values are
   * returned as they are, for the validator to name.
   */
  mapRefs(value: unknown, fn: (ref: unknown, at: string) => unknown): unknown;
  /** Join table (owner_id, field, ref_id), created by a migration. */
  joinTable: string;
}

export interface EntityTable {
  type: ResourceType;
  /** Body fields with a single-column UNIQUE column of the same name. */
  unique: readonly string[];
  /**
   * Other body fields mirrored into columns of the same name, for composite
   * unique indexes (e.g. targets: upstream_id + target) and indexed filters.
   */
  columns: readonly string[];
  /** The field Kong accepts in place of an id in URLs (`endpoint_key`). */
  endpointKey: string | null;
  foreign: readonly ForeignColumn[];
  nested: readonly NestedRef[];
}

const fk = (field: string, references: ResourceType, onDelete: ForeignColumn['onDelete']): ForeignColumn => ({ field, column: `${field}_id`, references, onDelete });

const table = (type: ResourceType, t: Partial<Omit<EntityTable, 'type'>>): EntityTable => ({
  type,
  unique: t.unique ?? [],
  columns: t.columns ?? [],
  endpointKey: t.endpointKey ?? null,
  foreign: t.foreign ?? [],
  nested: t.nested ?? [],
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const refId = (v: unknown): string | undefined => {
  const id = typeof v === 'object' && v !== null ? (v as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
};

/** Portico's route additions that name services: the split's backends and the mirror. */
const ROUTE_NESTED: readonly NestedRef[] = [
  {
    field: 'backends',
    references: 'services',
    joinTable: 'route_service_refs',
    ids: (body) => (Array.isArray(body['backends']) ? body['backends'].map((b: { service?: unknown }) => refId(b?.service)).filter((id) => id !== undefined) : []),
    mapRefs: (value, fn) =>
      Array.isArray(value) ? value.map((b: unknown, i) => (isRecord(b) && b['service'] !== undefined ? { ...b, service: fn(b['service'], `backends[${i + 1}].service`) } : b)) : value,
  },
  {
    field: 'mirror',
    references: 'services',
    joinTable: 'route_service_refs',
    ids: (body) => {
      const m = body['mirror'] as { service?: unknown } | null | undefined;
      const id = refId(m?.service);
      return id === undefined ? [] : [id];
    },
    mapRefs: (value, fn) => (isRecord(value) && value['service'] !== undefined ? { ...value, service: fn(value['service'], 'mirror.service') } : value),
  },
];

// on_delete values are Kong's (kong/db/schema/entities/*.lua): a foreign key
// without one restricts; credentials, targets, snis and scoped plugins cascade.
export const ENTITY_TABLES: Readonly<Record<ResourceType, EntityTable>> = {
  certificates: table('certificates', {}),
  snis: table('snis', { unique: ['name'], endpointKey: 'name', foreign: [fk('certificate', 'certificates', 'cascade')] }),
  services: table('services', { unique: ['name'], endpointKey: 'name', foreign: [fk('client_certificate', 'certificates', 'restrict')] }),
  routes: table('routes', { unique: ['name'], endpointKey: 'name', foreign: [fk('service', 'services', 'restrict')], nested: ROUTE_NESTED }),
  upstreams: table('upstreams', { unique: ['name'], endpointKey: 'name', foreign: [fk('client_certificate', 'certificates', 'restrict')] }),
  targets: table('targets', { columns: ['target'], endpointKey: 'target', foreign: [fk('upstream', 'upstreams', 'cascade')] }),
  consumers: table('consumers', { unique: ['username', 'custom_id'], endpointKey: 'username', foreign: [] }),
  keyauth_credentials: table('keyauth_credentials', { unique: ['key'], endpointKey: 'key', foreign: [fk('consumer', 'consumers', 'cascade')] }),
  jwt_secrets: table('jwt_secrets', { unique: ['key'], endpointKey: 'key', foreign: [fk('consumer', 'consumers', 'cascade')] }),
  basicauth_credentials: table('basicauth_credentials', { unique: ['username'], endpointKey: 'username', foreign: [fk('consumer', 'consumers', 'cascade')] }),
  acls: table('acls', { columns: ['group'], endpointKey: null, foreign: [fk('consumer', 'consumers', 'cascade')] }),
  plugins: table('plugins', {
    unique: ['instance_name'],
    columns: ['name'],
    endpointKey: 'instance_name',
    foreign: [fk('service', 'services', 'cascade'), fk('route', 'routes', 'cascade'), fk('consumer', 'consumers', 'cascade')],
  }),
};
