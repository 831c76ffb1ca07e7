// SnapshotSource over the SQLite store. Keeps the whole config in memory with
// an incremental hasher so each commit costs O(changed): the store's own
// changesSince(lastVersion) says what moved, and the hasher XORs old bodies out
// and new bodies in. A short version→hash history lets a node that reconnects
// (or is a few pushes behind) get a delta instead of the whole config.
//
// full() and deltaSince() are memoized for the current version: a commit fans
// out to every connected node, and they would otherwise each sort the whole
// config or query the store for the same delta and hold their own copy of it.
// A delta's resources are the in-memory objects, so a cached delta holds no
// second copy of any body.
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
  /** Memos for `version` only; catchUp drops them when the version moves. */
  let fullMemo: Snapshot | null = null;
  const deltaMemo = new Map<number, Delta>();

  /** Folds every commit after `version` into memory. */
  const catchUp = (): void => {
    const changes = store.changesSince(version);
    if (changes.version === version) return;
    const base = version;
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
    fullMemo = null;
    deltaMemo.clear();
    // Exactly what a node in sync at `base` (most of them, after a commit) needs: no second query.
    deltaMemo.set(base, { baseVersion: base, version, hash, updated: changes.updated, removed: changes.removed });
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
      if (fullMemo) return fullMemo;
      const order = new Map<string, number>(RESOURCE_TYPES.map((t, i) => [t, i]));
      const list = [...resources.values()].sort((a, b) => order.get(a.type)! - order.get(b.type)!);
      return (fullMemo = { version, hash, resources: list });
    },

    deltaSince(base: number, baseHash: string): Delta | null {
      if (history.get(base) !== baseHash || base > version) return null;
      if (base === version) return { baseVersion: base, version, hash, updated: [], removed: [] };
      // A commit whose listener has not run yet (we are called from another
      // commit listener): fold it in so the delta and hash describe one version.
      if (store.version() !== version) catchUp();
      const memo = deltaMemo.get(base);
      if (memo) return memo;
      const changes = store.changesSince(base);
      // catchUp has folded every row read here into `resources`, with the same body.
      const updated = changes.updated.map((r) => resources.get(resourceKey(r.type, r.id)) ?? r);
      const delta: Delta = { baseVersion: base, version, hash, updated, removed: changes.removed };
      deltaMemo.set(base, delta);
      return delta;
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
