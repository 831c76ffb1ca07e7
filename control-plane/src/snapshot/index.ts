export type { SnapshotSource, SnapshotVersion } from './snapshot-source.js';
export { createStoreSnapshotSource, type StoreSnapshotSource, type StoreSnapshotSourceOptions } from './store-snapshot-source.js';
export { PackedSnapshots, resourceBytes, type PackedSnapshotsOptions, type PackSubject } from './packed-snapshots.js';
