export { Store, type EntityBody, type StoredRow, type ListOptions, type Page, type Changes, type WriteTx, type RollbackResult } from './store.js';
export { StoreErrors } from './errors.js';
export { ENTITY_TABLES, type EntityTable, type ForeignColumn } from './tables.js';
export { MIGRATIONS, migrate } from './migrations.js';
export type { ChangeAction, ChangeCounts, EntityChange, VersionSummary, VersionDetail, VersionPage } from './history.js';
