// How entity types relate in a declarative document. Parsing follows Kong: a
// child may be nested under any entity its foreign key points at
// (`services[].routes[]`, `consumers[].acls[]`, …), under the child's table
// name. Export follows decK: each child nests under one chosen parent.
import { RESOURCE_TYPES, type ResourceType } from '@portico/shared';
import { ENTITY_TABLES } from '../store/tables.js';

export interface Nesting {
  child: ResourceType;
  /** The child's foreign field that points at the parent. */
  field: string;
}

/** Children Kong accepts nested under `parent`, keyed by the child's table name. */
export function nestableUnder(parent: ResourceType): ReadonlyMap<string, Nesting> {
  const out = new Map<string, Nesting>();
  for (const child of RESOURCE_TYPES) {
    for (const fk of ENTITY_TABLES[child].foreign) if (fk.references === parent) out.set(child, { child, field: fk.field });
  }
  return out;
}

/**
 * Where export nests a child (decK's layout): the foreign fields it may nest
 * under, in order of preference. A plugin nests only when exactly one of its
 * scopes is set; others stay top-level with references.
 */
export const EXPORT_NESTING: Partial<Record<ResourceType, readonly string[]>> = {
  routes: ['service'],
  targets: ['upstream'],
  snis: ['certificate'],
  keyauth_credentials: ['consumer'],
  jwt_secrets: ['consumer'],
  basicauth_credentials: ['consumer'],
  acls: ['consumer'],
  plugins: ['route', 'service', 'consumer'],
};

/** decK's nouns, for diff output (`creating service orders`). */
export const KIND: Readonly<Record<ResourceType, string>> = {
  certificates: 'certificate',
  snis: 'sni',
  services: 'service',
  routes: 'route',
  upstreams: 'upstream',
  targets: 'target',
  consumers: 'consumer',
  keyauth_credentials: 'key-auth',
  jwt_secrets: 'jwt-secret',
  basicauth_credentials: 'basic-auth',
  acls: 'acl-group',
  plugins: 'plugin',
};

/** Fields whose values never leave the control plane in history or diffs. */
export const SECRET_FIELDS: Partial<Record<ResourceType, readonly string[]>> = {
  keyauth_credentials: ['key'],
  jwt_secrets: ['secret'],
  basicauth_credentials: ['password'],
  certificates: ['key', 'key_alt'],
};

export const REDACTED = '<redacted>';

/** Plugin config fields that hold secrets (redis passwords, client secrets, tokens). */
const SECRET_CONFIG_FIELD = /password|secret|token|private_key/i;

/** A copy of `body` with secret values replaced, for history and diff output. */
export function redact(type: ResourceType, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const f of SECRET_FIELDS[type] ?? []) if (out[f] !== undefined && out[f] !== null) out[f] = REDACTED;
  if (type === 'plugins' && isObject(out['config'])) out['config'] = redactDeep(out['config']);
  return out;
}

function redactDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactDeep);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_CONFIG_FIELD.test(k) && x !== null && typeof x !== 'object' ? REDACTED : redactDeep(x)]));
}

/** True when `field` of `type` holds a secret (diffs show only that it changed). */
export function isSecretField(type: ResourceType, field: string): boolean {
  return (SECRET_FIELDS[type] ?? []).includes(field);
}

/** How diff output names an entity: its endpoint key when it has one (never a secret), else its id. */
export function displayName(type: ResourceType, body: Record<string, unknown>): string {
  const key = ENTITY_TABLES[type].endpointKey;
  if (type === 'plugins') return String(body['instance_name'] ?? body['name'] ?? body['id']);
  const v = key && !isSecretField(type, key) ? body[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : String(body['id']);
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
