// What travels from control plane to data plane. A resource body is the entity's
// JSON text exactly as stored; both sides hash those same bytes, so the hash
// needs no canonical JSON and a data plane can check a delta cheaply.
import { hash } from 'node:crypto';

/**
 * Entity tables carried in snapshots, in dependency order (referenced types
 * first). Names are Kong's table names, so declarative keys and admin paths
 * map onto them directly.
 */
export const RESOURCE_TYPES = [
  'certificates',
  'snis',
  'services',
  'routes',
  'upstreams',
  'targets',
  'consumers',
  'keyauth_credentials',
  'jwt_secrets',
  'basicauth_credentials',
  'acls',
  'plugins',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface Resource {
  type: ResourceType;
  id: string;
  /** The entity as JSON text (every field present, defaults filled). */
  body: string;
}

export interface ResourceRef {
  type: ResourceType;
  id: string;
}

export interface Snapshot {
  version: number;
  hash: string;
  resources: Resource[];
}

export interface Delta {
  /** The version the delta applies on top of. */
  baseVersion: number;
  version: number;
  hash: string;
  updated: Resource[];
  removed: ResourceRef[];
}

/**
 * A delta handed along with the whole config it produces: a receiver that
 * holds exactly the base (version and hash) may work from the change alone,
 * any other uses the whole config.
 */
export interface DeltaHint {
  baseVersion: number;
  baseHash: string;
  updated: readonly Resource[];
  removed: readonly { type: string; id: string }[];
}

export function isResourceType(t: string): t is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(t);
}

/** Key of a resource in a keyed map: `type/id`. */
export const resourceKey = (type: string, id: string): string => `${type}/${id}`;

/**
 * The content hash of a whole config: XOR of sha256(type, id, body) over every
 * resource. Order-independent and incremental — adding or removing a resource
 * XORs its digest in or out — so both planes keep it current in O(changed)
 * instead of rehashing the whole config on every delta. Resource keys are
 * unique, so no digest can cancel itself out.
 */
export class ConfigHasher {
  private readonly acc = Buffer.alloc(32);

  add(r: Resource): void {
    xorInto(this.acc, resourceDigest(r));
  }

  remove(r: Resource): void {
    xorInto(this.acc, resourceDigest(r));
  }

  hex(): string {
    return this.acc.toString('hex');
  }
}

export function resourceDigest(r: Resource): Buffer {
  // One-shot over the joined text: the same digest as hashing the parts in turn, without a Hash object per resource.
  return hash('sha256', `${r.type}\0${r.id}\0${r.body}`, 'buffer');
}

export function configHash(resources: Iterable<Resource>): string {
  const hasher = new ConfigHasher();
  for (const r of resources) hasher.add(r);
  return hasher.hex();
}

function xorInto(acc: Buffer, digest: Buffer): void {
  for (let i = 0; i < 32; i++) acc[i] = acc[i]! ^ digest[i]!;
}
