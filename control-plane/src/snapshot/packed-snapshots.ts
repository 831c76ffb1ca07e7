// Large pushes, packed once and shared. A full snapshot of 10,000 routes is
// 6.8 MB of resources; encoded and compressed (PackedResources) it is ~0.4 MB,
// and every stream that needs that version gets the very same Buffer instead
// of serializing its own copy. Deltas are keyed by base → version: after a
// big write every node in sync shares one base, so one pack serves them all.
import type { Resource } from '@portico/shared';
import { packResources, type Compression, type PackedResources } from '@portico/proto';

export interface PackedSnapshotsOptions {
  /** How many packed payloads to keep (newest used first). Default 4: a few versions and compressions. */
  keep?: number;
}

/** What identifies a push's resources: a full snapshot of a version, or a delta from base to version. */
export interface PackSubject {
  full: boolean;
  baseVersion: number;
  version: number;
  hash: string;
  resources: readonly Resource[];
}

export class PackedSnapshots {
  private readonly entries = new Map<string, Promise<PackedResources>>();
  private readonly keep: number;
  /** Payloads packed so far; a second ask for the same one does not count. */
  packs = 0;

  constructor(opts: PackedSnapshotsOptions = {}) {
    this.keep = Math.max(1, opts.keep ?? 4);
  }

  /**
   * The resources of a push, packed on the first ask for its version (and
   * base, for a delta) in this compression; every later ask gets the same
   * promise, so the same Buffer. A delta's removals travel plain.
   */
  get(push: PackSubject, compression: Compression): Promise<PackedResources> {
    const key = push.full ? `full:${push.version}:${push.hash}:${compression}` : `delta:${push.baseVersion}:${push.version}:${push.hash}:${compression}`;
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last, so eviction drops the oldest.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    this.packs++;
    const packed = packResources(push.resources, compression);
    // A failed pack is not cached: the next ask tries again.
    packed.catch(() => {
      if (this.entries.get(key) === packed) this.entries.delete(key);
    });
    this.entries.set(key, packed);
    while (this.entries.size > this.keep) this.entries.delete(this.entries.keys().next().value!);
    return packed;
  }
}

const sizes = new WeakMap<readonly Resource[], number>();

/**
 * Roughly the bytes `resources` take on the wire (their bodies, ids and types),
 * remembered per list: full() and deltaSince() hand every session the same one.
 */
export function resourceBytes(resources: readonly Resource[]): number {
  const known = sizes.get(resources);
  if (known !== undefined) return known;
  let n = 0;
  for (const r of resources) n += r.body.length + r.id.length + r.type.length + 8;
  sizes.set(resources, n);
  return n;
}
