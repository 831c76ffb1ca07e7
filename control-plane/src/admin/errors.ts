// The admin API's error catalog. Entries that mirror Kong's DAO errors
// (kong/db/errors.lua) carry Kong's numeric code and name, so the error
// mapper renders Kong's body: {code, name, message, fields}. The others render
// Kong's plain {message}. Builders below produce Kong's exact messages.
import { defineError, luaPretty, PorticoError, schemaViolationMessage, type ErrorEntry, type FieldErrors } from '@portico/shared';

export const AdminErrors = {
  SCHEMA_VIOLATION: defineError('PORTICO_ERR_ADMIN_SCHEMA_VIOLATION', 400, 'schema violation'),
  PRIMARY_KEY_VIOLATION: defineError('PORTICO_ERR_ADMIN_PRIMARY_KEY_VIOLATION', 400, 'primary key violation'),
  FOREIGN_KEY_VIOLATION: defineError('PORTICO_ERR_ADMIN_FOREIGN_KEY_VIOLATION', 400, 'foreign key violation'),
  UNIQUE_VIOLATION: defineError('PORTICO_ERR_ADMIN_UNIQUE_VIOLATION', 409, 'unique constraint violation'),
  INVALID_OFFSET: defineError('PORTICO_ERR_ADMIN_INVALID_OFFSET', 400, 'invalid offset'),
  INVALID_SIZE: defineError('PORTICO_ERR_ADMIN_INVALID_SIZE', 400, 'invalid size'),
  FOREIGN_KEYS_UNRESOLVED: defineError('PORTICO_ERR_ADMIN_FOREIGN_KEYS_UNRESOLVED', 400, 'foreign keys unresolved'),
  NOT_FOUND: defineError('PORTICO_ERR_ADMIN_NOT_FOUND', 404, 'Not found'),
  METHOD_NOT_ALLOWED: defineError('PORTICO_ERR_ADMIN_METHOD_NOT_ALLOWED', 405, 'Method not allowed'),
  BAD_REQUEST: defineError('PORTICO_ERR_ADMIN_BAD_REQUEST', 400, 'Bad request'),
  BAD_JSON: defineError('PORTICO_ERR_ADMIN_BAD_JSON', 400, 'Cannot parse JSON body'),
  UNAUTHORIZED: defineError('PORTICO_ERR_ADMIN_UNAUTHORIZED', 401, 'Unauthorized'),
  PAYLOAD_TOO_LARGE: defineError('PORTICO_ERR_ADMIN_PAYLOAD_TOO_LARGE', 413, 'Request body too large'),
  UNSUPPORTED_MEDIA_TYPE: defineError('PORTICO_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported Content-Type'),
  UNEXPECTED: defineError('PORTICO_ERR_ADMIN_UNEXPECTED', 500, 'An unexpected error occurred'),
} as const;

/** Kong's numeric DAO error codes for the entries that render Kong's full body. */
export const KONG_CODES: ReadonlyMap<string, number> = new Map([
  [AdminErrors.SCHEMA_VIOLATION.code, 2],
  [AdminErrors.PRIMARY_KEY_VIOLATION.code, 3],
  [AdminErrors.FOREIGN_KEY_VIOLATION.code, 4],
  [AdminErrors.UNIQUE_VIOLATION.code, 5],
  [AdminErrors.INVALID_OFFSET.code, 7],
  [AdminErrors.INVALID_SIZE.code, 9],
  [AdminErrors.FOREIGN_KEYS_UNRESOLVED.code, 13],
]);

const err = (entry: ErrorEntry, message: string, fields?: Record<string, unknown>) =>
  new PorticoError(entry, message, fields === undefined ? undefined : { fields });

export const schemaViolation = (fields: FieldErrors) => err(AdminErrors.SCHEMA_VIOLATION, schemaViolationMessage(fields), fields);

export const uniqueViolation = (key: Record<string, unknown>) => err(AdminErrors.UNIQUE_VIOLATION, `UNIQUE violation detected on '${luaPretty(key)}'`, key);

export const primaryKeyViolation = (key: Record<string, unknown>) => err(AdminErrors.PRIMARY_KEY_VIOLATION, `primary key violation on key '${luaPretty(key)}'`, key);

export const foreignKeyViolation = (field: string, key: Record<string, unknown>, parent: string) =>
  err(AdminErrors.FOREIGN_KEY_VIOLATION, `the foreign key '${luaPretty(key)}' does not reference an existing '${parent}' entity.`, { [field]: key });

/** Kong's foreign_key_violation_restricted: deleting a parent that children still reference. */
export const referencedBy = (parent: string, child: string) =>
  err(AdminErrors.FOREIGN_KEY_VIOLATION, `an existing '${child}' entity references this '${parent}' entity`, { '@referenced_by': child });

export function foreignKeyUnresolved(field: string, keyName: string, value: unknown, parent: string) {
  const why = `the foreign key cannot be resolved with '${luaPretty({ [keyName]: value })}' for an existing '${parent}' entity`;
  return err(AdminErrors.FOREIGN_KEYS_UNRESOLVED, `foreign key unresolved (${field}.${keyName}: ${why})`, { [field]: { [keyName]: why } });
}

export const invalidSize = (message: string) => err(AdminErrors.INVALID_SIZE, message);
export const invalidOffset = (message: string) => err(AdminErrors.INVALID_OFFSET, message);
export const notFound = () => new PorticoError(AdminErrors.NOT_FOUND);
export const methodNotAllowed = () => new PorticoError(AdminErrors.METHOD_NOT_ALLOWED);
