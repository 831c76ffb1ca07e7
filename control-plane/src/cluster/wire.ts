// Snapshot/Delta (the shared vocabulary) → ConfigPush (the wire message).
import { randomUUID } from 'node:crypto';
import type { Delta, Snapshot } from '@portico/shared';
import type { ConfigPush } from '@portico/proto';

/** A fresh nonce per push: ACKs/NACKs name the push they answer. */
export const newNonce = (): string => randomUUID();

export function fullPush(snap: Snapshot, nonce: string): ConfigPush {
  return {
    version: snap.version,
    nonce,
    hash: snap.hash,
    full: true,
    base_version: 0,
    resources: snap.resources.map((r) => ({ type: r.type, id: r.id, body: r.body })),
    removed: [],
  };
}

export function deltaPush(delta: Delta, nonce: string): ConfigPush {
  return {
    version: delta.version,
    nonce,
    hash: delta.hash,
    full: false,
    base_version: delta.baseVersion,
    resources: delta.updated.map((r) => ({ type: r.type, id: r.id, body: r.body })),
    removed: delta.removed.map((r) => ({ type: r.type, id: r.id })),
  };
}

/** "ipv4:1.2.3.4:5", "1.2.3.4:5", "[::1]:5" → the bare ip. */
export function peerIp(peer: string): string {
  const p = peer.replace(/^ipv[46]:/, '');
  const v6 = /^\[([^\]]+)\]/.exec(p);
  if (v6) return v6[1]!;
  const i = p.lastIndexOf(':');
  return i > 0 && p.indexOf(':') === i ? p.slice(0, i) : p;
}
