// How compile rejects a snapshot: one error code, a message naming the
// resource and the field, so the NACK tells the operator what to fix.
import { PorticoError, SharedErrors, type ResourceType } from '@portico/shared';
import { schemaViolation } from './schema-check.js';

export const invalid = (message: string, cause?: unknown): never => {
  throw new PorticoError(SharedErrors.SNAPSHOT_INVALID, message, undefined, cause === undefined ? undefined : { cause });
};

const SINGULAR: Readonly<Record<ResourceType, string>> = {
  certificates: 'certificate',
  snis: 'sni',
  services: 'service',
  routes: 'route',
  upstreams: 'upstream',
  targets: 'target',
  consumers: 'consumer',
  keyauth_credentials: 'keyauth_credential',
  jwt_secrets: 'jwt_secret',
  basicauth_credentials: 'basicauth_credential',
  acls: 'acl',
  plugins: 'plugin',
};

export const singular = (type: ResourceType): string => SINGULAR[type];

/** Parses and schema-checks one stored body. */
export function parseEntity<T extends { id: string }>(type: ResourceType, id: string, body: string): T {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return invalid(`${singular(type)} '${id}': body is not valid JSON (${(err as Error).message})`, err);
  }
  const violation = schemaViolation(type, value);
  if (violation !== null) invalid(`${singular(type)} '${id}': ${violation}`);
  const entity = value as T;
  if (entity.id !== id) invalid(`${singular(type)} '${id}': id: body has id '${entity.id}'`);
  return entity;
}

/** A foreign key must name a resource of the snapshot. */
export function checkRef(type: ResourceType, id: string, field: string, targetType: ResourceType, ref: { id: string } | null, known: { has(id: string): boolean }): void {
  if (ref !== null && !known.has(ref.id)) {
    invalid(`${singular(type)} '${id}': ${field}: references ${singular(targetType)} '${ref.id}', which is not in the snapshot`);
  }
}
