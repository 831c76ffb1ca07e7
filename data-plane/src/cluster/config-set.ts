// The config a node holds: resources keyed by type/id plus the version and the
// whole-config hash. Immutable: applying a push returns a new set, so a
// rejected push leaves the current one untouched (invariant 3). The hash of a
// delta's result is computed from the old hash in O(changed). Sets take
// resources as iterables and keep the objects they are given, so a decoded
// push is never copied again on its way in, and a delta's set shares the
// previous one's map except for what changed (LayeredMap).
import { configHash, resourceDigest, resourceKey, type Resource } from '@portico/shared';
import { LayeredMap } from '../collections/layered-map.js';

export class ConfigSet implements Iterable<Resource> {
  static readonly EMPTY = new ConfigSet(0, '', LayeredMap.over(new Map()));

  private constructor(
    readonly version: number,
    readonly hash: string,
    private readonly byKey: LayeredMap<string, Resource>,
  ) {}

  static of(version: number, resources: Iterable<Resource>): ConfigSet {
    const map = new Map<string, Resource>();
    for (const r of resources) map.set(resourceKey(r.type, r.id), r);
    return new ConfigSet(version, configHash(map.values()), LayeredMap.over(map));
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
    const map = this.byKey.fork();
    const acc = Buffer.from(this.hash === '' ? configHash([]) : this.hash, 'hex');
    for (const r of updated) {
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
