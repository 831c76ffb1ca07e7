// Snapshot/Delta (the shared vocabulary) → ConfigPush (the wire message).
import { randomUUID } from 'node:crypto';
import type { Delta, Resource, ResourceRef, Snapshot } from '@portico/shared';
import type { ConfigPush, PackedResources, WireResource, WireResourceRef } from '@portico/proto';

/** A fresh nonce per push: ACKs/NACKs name the push they answer. */
export const newNonce = (): string => randomUUID();

/** A push a session has decided on, before it has a nonce or its resources are packed. */
export interface Outgoing {
  full: boolean;
  version: number;
  hash: string;
  baseVersion: number;
  resources: readonly Resource[];
  removed: readonly ResourceRef[];
}

export const fullOutgoing = (snap: Snapshot): Outgoing => ({ full: true, version: snap.version, hash: snap.hash, baseVersion: 0, resources: snap.resources, removed: [] });

export const deltaOutgoing = (delta: Delta): Outgoing => ({
  full: false,
  version: delta.version,
  hash: delta.hash,
  baseVersion: delta.baseVersion,
  resources: delta.updated,
  removed: delta.removed,
});

/**
 * The message for `o`: its resources packed when `packed` is given, else
 * listed. The lists are shared (memoized by the snapshot source) and only
 * read by the serializer, so they go in as they are.
 */
export function toPush(o: Outgoing, nonce: string, packed: PackedResources | null = null): ConfigPush {
  const push: ConfigPush = {
    version: o.version,
    nonce,
    hash: o.hash,
    full: o.full,
    base_version: o.baseVersion,
    resources: packed ? [] : (o.resources as WireResource[]),
    removed: o.removed as WireResourceRef[],
  };
  if (packed) push.packed = packed;
  return push;
}

/** "ipv4:1.2.3.4:5", "1.2.3.4:5", "[::1]:5" → the bare ip. */
export function peerIp(peer: string): string {
  const p = peer.replace(/^ipv[46]:/, '');
  const v6 = /^\[([^\]]+)\]/.exec(p);
  if (v6) return v6[1]!;
  const i = p.lastIndexOf(':');
  return i > 0 && p.indexOf(':') === i ? p.slice(0, i) : p;
}
