// SnapshotSource over the SQLite store. Keeps the whole config in memory with
// an incremental hasher so each commit costs O(changed): the store's own
// changesSince(lastVersion) says what moved, and the hasher XORs old bodies out
// and new bodies in. A short version→hash history lets a node that reconnects
// (or is a few pushes behind) get a delta instead of the whole config.
import { ConfigHasher, RESOURCE_TYPES, resourceKey, type Delta, type Resource, type Snapshot } from '@portico/shared';
import type { Store } from '../store/index.js';
import type { SnapshotSource, SnapshotVersion } from './snapshot-source.js';

export interface StoreSnapshotSourceOptions {
  /** How many recent versions can serve as a delta base. Default 1000. */
  historySize?: number;
}

export interface StoreSnapshotSource extends SnapshotSource {
  /** Stops following the store. */
  close(): void;
}

export function createStoreSnapshotSource(store: Store, opts: StoreSnapshotSourceOptions = {}): StoreSnapshotSource {
  const historySize = opts.historySize ?? 1000;
  const resources = new Map<string, Resource>();
  const hasher = new ConfigHasher();
  for (const r of store.allResources()) {
    resources.set(resourceKey(r.type, r.id), r);
    hasher.add(r);
  }
  let version = store.version();
  let hash = hasher.hex();
  // Map keeps insertion order, so the oldest entry is the first key.
  const history = new Map<number, string>([[version, hash]]);
  const listeners = new Set<(version: number) => void>();

  /** Folds every commit after `version` into memory. */
  const catchUp = (): void => {
    const changes = store.changesSince(version);
    if (changes.version === version) return;
    for (const r of changes.updated) {
      const key = resourceKey(r.type, r.id);
      const old = resources.get(key);
      if (old) hasher.remove(old);
      hasher.add(r);
      resources.set(key, r);
    }
    for (const ref of changes.removed) {
      const key = resourceKey(ref.type, ref.id);
      const old = resources.get(key);
      if (!old) continue; // created and deleted between two catch-ups
      hasher.remove(old);
      resources.delete(key);
    }
    version = changes.version;
    hash = hasher.hex();
    history.set(version, hash);
    while (history.size > historySize) history.delete(history.keys().next().value!);
  };

  // Listeners hear each version once, even when deltaSince folded it in first.
  let notified = version;
  const unsubscribe = store.onCommit(() => {
    catchUp();
    if (version === notified) return;
    notified = version;
    for (const cb of listeners) {
      try {
        cb(version);
      } catch {
        // one listener's failure must not starve the others
      }
    }
  });

  return {
    current(): SnapshotVersion {
      return { version, hash };
    },

    full(): Snapshot {
      const order = new Map<string, number>(RESOURCE_TYPES.map((t, i) => [t, i]));
      const list = [...resources.values()].sort((a, b) => order.get(a.type)! - order.get(b.type)!);
      return { version, hash, resources: list };
    },

    deltaSince(base: number, baseHash: string): Delta | null {
      if (history.get(base) !== baseHash || base > version) return null;
      if (base === version) return { baseVersion: base, version, hash, updated: [], removed: [] };
      let changes = store.changesSince(base);
      // A commit whose listener has not run yet (we are called from another
      // commit listener): fold it in so the delta and hash describe one version.
      if (changes.version !== version) {
        catchUp();
        changes = store.changesSince(base);
      }
      return { baseVersion: base, version, hash, updated: changes.updated, removed: changes.removed };
    },

    onChange(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },

    close() {
      unsubscribe();
      listeners.clear();
    },
  };
}
