// Where the cluster server gets config from. Kept as a small interface so the
// server never touches the store and every implementation can run the same
// contract test (snapshot-source.contract.ts).
import type { Delta, Snapshot } from '@portico/shared';

export interface SnapshotVersion {
  version: number;
  hash: string;
}

export interface SnapshotSource {
  /** The newest version and its whole-config hash. O(1). */
  current(): SnapshotVersion;
  /**
   * The whole config at current(). O(config) the first time for a version;
   * may return the same object until the version changes, so callers never
   * modify it (nor a delta).
   */
  full(): Snapshot;
  /**
   * Changes from (version, hash) to current(), or null when that pair is not
   * one this source produced recently (unknown, too old, or a foreign hash):
   * the caller then sends a full snapshot. When the pair is current the delta
   * is empty.
   */
  deltaSince(version: number, hash: string): Delta | null;
  /** Called after each change with the new version. Returns an unsubscribe. */
  onChange(cb: (version: number) => void): () => void;
}
