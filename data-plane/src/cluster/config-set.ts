// The config a node holds: resources keyed by type/id plus the version and the
// whole-config hash. Immutable: applying a push returns a new set, so a
// rejected push leaves the current one untouched (invariant 3). The hash of a
// delta's result is computed from the old hash in O(changed).
import { PorticoError, configHash, isResourceType, resourceDigest, resourceKey, type Resource } from '@portico/shared';
import type { ConfigPush, WireResource, WireResourceRef } from '@portico/proto';
import { ClusterClientErrors } from './errors.js';

export class ConfigSet {
  static readonly EMPTY = new ConfigSet(0, '', new Map());

  private constructor(
    readonly version: number,
    readonly hash: string,
    private readonly byKey: ReadonlyMap<string, Resource>,
  ) {}

  static of(version: number, resources: readonly Resource[]): ConfigSet {
    const map = new Map<string, Resource>();
    for (const r of resources) map.set(resourceKey(r.type, r.id), r);
    return new ConfigSet(version, configHash(map.values()), map);
  }

  get resources(): Resource[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The set a full push describes. Throws PUSH_INVALID on an unknown resource type. */
  static fromFull(push: ConfigPush): ConfigSet {
    return ConfigSet.of(push.version, push.resources.map(toResource));
  }

  /** This set with a delta push applied (the caller has checked base_version). */
  applyDelta(push: ConfigPush): ConfigSet {
    const map = new Map(this.byKey);
    const acc = Buffer.from(this.hash === '' ? configHash([]) : this.hash, 'hex');
    for (const w of push.resources) {
      const r = toResource(w);
      const key = resourceKey(r.type, r.id);
      const old = map.get(key);
      if (old) xorInto(acc, resourceDigest(old));
      xorInto(acc, resourceDigest(r));
      map.set(key, r);
    }
    for (const ref of push.removed as WireResourceRef[]) {
      const key = resourceKey(ref.type, ref.id);
      const old = map.get(key);
      if (!old) continue; // created and removed while we were not looking
      xorInto(acc, resourceDigest(old));
      map.delete(key);
    }
    return new ConfigSet(push.version, acc.toString('hex'), map);
  }
}

function toResource(w: WireResource): Resource {
  if (!isResourceType(w.type)) throw new PorticoError(ClusterClientErrors.PUSH_INVALID, `unknown resource type '${w.type}'`);
  return { type: w.type, id: w.id, body: w.body };
}

function xorInto(acc: Buffer, digest: Buffer): void {
  for (let i = 0; i < 32; i++) acc[i] = acc[i]! ^ digest[i]!;
}
