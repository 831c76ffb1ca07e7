// Small SQL-side helpers of the store: opaque paging offsets and the mapping
// of SQLite constraint failures onto the store's error catalog.
import { SqliteError } from 'better-sqlite3';
import { PorticoError } from '@portico/shared';
import { StoreErrors } from './errors.js';

export function encodeOffset(id: string): string {
  return Buffer.from(JSON.stringify([id])).toString('base64url');
}

export function decodeOffset(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  } catch {
    // fall through to the error below
  }
  throw new PorticoError(StoreErrors.INVALID_OFFSET, `'${token}' is not a valid offset: bad base64 encoding`);
}

export function translateSqliteError(err: unknown): unknown {
  if (!(err instanceof SqliteError)) return err;
  if (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: services.name", "…: targets.upstream_id, targets.target",
    // or "…: index 'plugins_scope'" for an expression index.
    const cols = [...err.message.matchAll(/(\w+)\.(\w+)/g)];
    const index = /index '(\w+)'/.exec(err.message)?.[1];
    const entry = err.code === 'SQLITE_CONSTRAINT_UNIQUE' ? StoreErrors.UNIQUE_VIOLATION : StoreErrors.PRIMARY_KEY_VIOLATION;
    const detail = { type: cols[0]?.[1], field: cols[cols.length - 1]?.[2], fields: cols.map((c) => c[2]), index };
    return new PorticoError(entry, undefined, detail, { cause: err });
  }
  if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new PorticoError(StoreErrors.REFERENCED_BY_OTHERS, undefined, {}, { cause: err });
  return new PorticoError(StoreErrors.UNAVAILABLE, undefined, undefined, { cause: err });
}
