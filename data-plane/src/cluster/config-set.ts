// The config a node holds: resources keyed by type/id plus the version and the
// whole-config hash. Immutable: applying a push returns a new set, so a
// rejected push leaves the current one untouched (invariant 3). The hash of a
// delta's result is computed from the old hash in O(changed). Sets take
// resources as iterables and keep the objects they are given, so a decoded
// push is never copied again on its way in, and a delta's set shares the
// previous one's map except for what changed (LayeredMap).
import { ConfigHasher, configHash, resourceDigest, resourceKey, type Resource } from '@portico/shared';
import { runToEnd, SLICE_ITEMS, type Steps } from '../slices.js';
import { LayeredMap } from '../collections/layered-map.js';

export class ConfigSet implements Iterable<Resource> {
  static readonly EMPTY = new ConfigSet(0, '', LayeredMap.over(new Map()));

  private constructor(
    readonly version: number,
    readonly hash: string,
    private readonly byKey: LayeredMap<string, Resource>,
  ) {}

  static of(version: number, resources: Iterable<Resource>): ConfigSet {
    return runToEnd(ConfigSet.build(version, resources));
  }

  /** ConfigSet.of, pausing every SLICE_ITEMS resources (slices.ts): hashing 10,000 bodies takes a while. */
  static *build(version: number, resources: Iterable<Resource>): Steps<ConfigSet> {
    const map = new Map<string, Resource>();
    let n = 0;
    for (const r of resources) {
      if (++n === SLICE_ITEMS) {
        n = 0;
        yield;
      }
      map.set(resourceKey(r.type, r.id), r);
    }
    // Hashed from the map: a resource listed twice counts once, as its last listing.
    const hasher = new ConfigHasher();
    for (const r of map.values()) {
      if (++n === SLICE_ITEMS) {
        n = 0;
        yield;
      }
      hasher.add(r);
    }
    return new ConfigSet(version, hasher.hex(), LayeredMap.over(map));
  }

  values(): IterableIterator<Resource> {
    return this.byKey.values();
  }

  [Symbol.iterator](): IterableIterator<Resource> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  /** This set with a delta applied (the caller has checked its base). */
  applyDelta(version: number, updated: Iterable<Resource>, removed: Iterable<{ type: string; id: string }>): ConfigSet {
    return runToEnd(this.deltaSteps(version, updated, removed));
  }

  /** applyDelta, pausing every SLICE_ITEMS resources (slices.ts). */
  *deltaSteps(version: number, updated: Iterable<Resource>, removed: Iterable<{ type: string; id: string }>): Steps<ConfigSet> {
    const map = this.byKey.fork();
    const acc = Buffer.from(this.hash === '' ? configHash([]) : this.hash, 'hex');
    let n = 0;
    for (const r of updated) {
      if (++n === SLICE_ITEMS) {
        n = 0;
        yield;
      }
      const key = resourceKey(r.type, r.id);
      const old = map.get(key);
      if (old) xorInto(acc, resourceDigest(old));
      xorInto(acc, resourceDigest(r));
      map.set(key, r);
    }
    for (const ref of removed) {
      const key = resourceKey(ref.type, ref.id);
      const old = map.get(key);
      if (!old) continue; // created and removed while we were not looking
      xorInto(acc, resourceDigest(old));
      map.delete(key);
    }
    return new ConfigSet(version, acc.toString('hex'), map);
  }
}

function xorInto(acc: Buffer, digest: Buffer): void {
  for (let i = 0; i < 32; i++) acc[i] = acc[i]! ^ digest[i]!;
}
