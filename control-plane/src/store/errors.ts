// The store's error catalog. The admin layer maps these onto Kong's bodies.
import { defineError } from '@portico/shared';

export const StoreErrors = {
  UNIQUE_VIOLATION: defineError('PORTICO_ERR_STORE_UNIQUE_VIOLATION', 409, 'unique constraint violated'),
  PRIMARY_KEY_VIOLATION: defineError('PORTICO_ERR_STORE_PRIMARY_KEY_VIOLATION', 409, 'primary key violated'),
  REFERENCED_BY_OTHERS: defineError('PORTICO_ERR_STORE_REFERENCED_BY_OTHERS', 400, 'entity is referenced by others'),
  FOREIGN_KEY_MISSING: defineError('PORTICO_ERR_STORE_FOREIGN_KEY_MISSING', 400, 'foreign key does not reference an existing entity'),
  NOT_FOUND: defineError('PORTICO_ERR_STORE_NOT_FOUND', 404, 'Not found'),
  INVALID_OFFSET: defineError('PORTICO_ERR_STORE_INVALID_OFFSET', 400, 'invalid offset'),
  VERSION_OUT_OF_RANGE: defineError('PORTICO_ERR_STORE_VERSION_OUT_OF_RANGE', 400, 'version cannot be restored'),
  UNAVAILABLE: defineError('PORTICO_ERR_STORE_UNAVAILABLE', 500, 'database unavailable'),
} as const;
