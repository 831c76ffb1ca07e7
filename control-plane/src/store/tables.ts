// How each entity type maps onto SQLite. The body column holds the entity as
// JSON (every field present); the other columns exist so SQLite itself enforces
// uniqueness and foreign keys, and so lookups by endpoint key are indexed.
import type { ResourceType } from '@portico/shared';

export interface ForeignColumn {
  /** Field in the entity body holding `{ id }`. */
  field: string;
  column: string;
  references: ResourceType;
  /** Kong's on_delete for this foreign key. */
  onDelete: 'restrict' | 'cascade' | 'null';
}

export interface EntityTable {
  type: ResourceType;
  /** Body fields with a UNIQUE column of the same name. */
  unique: readonly string[];
  /** The field Kong accepts in place of an id in URLs (`endpoint_key`). */
  endpointKey: string | null;
  foreign: readonly ForeignColumn[];
}

export const ENTITY_TABLES: Readonly<Record<ResourceType, EntityTable>> = {
  services: { type: 'services', unique: ['name'], endpointKey: 'name', foreign: [] },
  routes: {
    type: 'routes',
    unique: ['name'],
    endpointKey: 'name',
    foreign: [{ field: 'service', column: 'service_id', references: 'services', onDelete: 'restrict' }],
  },
};
