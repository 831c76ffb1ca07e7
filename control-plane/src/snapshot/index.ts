export type { SnapshotSource, SnapshotVersion } from './snapshot-source.js';
export { createStoreSnapshotSource, type StoreSnapshotSource, type StoreSnapshotSourceOptions } from './store-snapshot-source.js';
