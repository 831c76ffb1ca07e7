// Every entity type the admin API serves, as data: its ops (validator + DAO
// hooks), its top-level collection, where it nests under a parent, and which
// foreign keys get `/{collection}/{key}/{field}` endpoints. Paths and the
// read-only credential collections follow kong/api/routes/*.lua and the
// plugins' api.lua files. entity-endpoints.ts turns this into routes.
import { ENTITY_VALIDATORS, PLUGIN_SCHEMAS, createPluginValidator, type EntityValidator, type PluginRegistry, type ResourceType } from '@portico/shared';
import type { Store } from '../store/store.js';
import { aclHooks, basicAuthHooks, certificateHooks, targetHooks } from './entity-hooks.js';
import { EntityOps, type EntityHooks } from './entity-ops.js';

export interface Nesting {
  parent: ResourceType;
  /** Path segment under the parent: `/consumers/{c}/key-auth`. */
  segment: string;
  /** The child's foreign-key field pointing at the parent. */
  field: string;
}

export interface AdminKind {
  ops: EntityOps;
  /** Top-level path segment (`key-auths`), or null when the type is only nested (targets). */
  collection: string | null;
  /** Kong's credential collections are read-only: creation goes through the consumer. */
  collectionPost: boolean;
  nested: readonly Nesting[];
  /** Foreign keys with a `/{collection}/{key}/{field}` endpoint. */
  parentEndpoints: readonly string[];
}

/** One EntityOps per resource type: the API the admin endpoints and the declarative loader share. */
export type EntityOpsSet = { readonly [T in ResourceType]: EntityOps };

export function createEntityOps(store: Store, plugins: PluginRegistry = PLUGIN_SCHEMAS): EntityOpsSet {
  const validators: Record<ResourceType, EntityValidator<unknown>> = {
    ...ENTITY_VALIDATORS,
    // The build's validator already covers PLUGIN_SCHEMAS; another registry gets its own.
    plugins: plugins === PLUGIN_SCHEMAS ? ENTITY_VALIDATORS.plugins : (createPluginValidator(plugins) as EntityValidator<unknown>),
  };
  const hooks: Partial<Record<ResourceType, EntityHooks>> = {
    targets: targetHooks,
    acls: aclHooks,
    basicauth_credentials: basicAuthHooks,
    certificates: certificateHooks(() => set.snis),
  };
  const set = Object.fromEntries(
    (Object.keys(validators) as ResourceType[]).map((type) => [type, new EntityOps(store, validators[type], type, hooks[type] ?? {})]),
  ) as Record<ResourceType, EntityOps>;
  return set;
}

const consumerChild = (segment: string): Nesting => ({ parent: 'consumers', segment, field: 'consumer' });

const LAYOUT: { readonly [T in ResourceType]: Omit<AdminKind, 'ops'> } = {
  certificates: { collection: 'certificates', collectionPost: true, nested: [], parentEndpoints: [] },
  snis: { collection: 'snis', collectionPost: true, nested: [{ parent: 'certificates', segment: 'snis', field: 'certificate' }], parentEndpoints: ['certificate'] },
  services: { collection: 'services', collectionPost: true, nested: [], parentEndpoints: [] },
  routes: { collection: 'routes', collectionPost: true, nested: [{ parent: 'services', segment: 'routes', field: 'service' }], parentEndpoints: ['service'] },
  upstreams: { collection: 'upstreams', collectionPost: true, nested: [], parentEndpoints: [] },
  // Kong 3 has no top-level /targets: targets live under their upstream.
  targets: { collection: null, collectionPost: false, nested: [{ parent: 'upstreams', segment: 'targets', field: 'upstream' }], parentEndpoints: [] },
  consumers: { collection: 'consumers', collectionPost: true, nested: [], parentEndpoints: [] },
  keyauth_credentials: { collection: 'key-auths', collectionPost: false, nested: [consumerChild('key-auth')], parentEndpoints: ['consumer'] },
  jwt_secrets: { collection: 'jwts', collectionPost: false, nested: [consumerChild('jwt')], parentEndpoints: ['consumer'] },
  basicauth_credentials: { collection: 'basic-auths', collectionPost: false, nested: [consumerChild('basic-auth')], parentEndpoints: ['consumer'] },
  acls: { collection: 'acls', collectionPost: false, nested: [consumerChild('acls')], parentEndpoints: ['consumer'] },
  plugins: {
    collection: 'plugins',
    collectionPost: true,
    nested: [
      { parent: 'services', segment: 'plugins', field: 'service' },
      { parent: 'routes', segment: 'plugins', field: 'route' },
      { parent: 'consumers', segment: 'plugins', field: 'consumer' },
    ],
    parentEndpoints: ['service', 'route', 'consumer'],
  },
};

export function adminKinds(ops: EntityOpsSet): ReadonlyMap<ResourceType, AdminKind> {
  return new Map((Object.keys(LAYOUT) as ResourceType[]).map((type) => [type, { ops: ops[type], ...LAYOUT[type] }]));
}
