// The consistent-hashing ring (Ketama, as Kong's continuum and Envoy's ring
// hash): each address gets a share of points proportional to its weight (160
// per address when all weigh the same, as Kong), each point at the 32-bit
// hash of "<address> <n>". A key belongs to the first point at or after its
// own hash (wrapping). Where an address's points sit depends only on itself,
// so adding an address takes only the keys its new points cover (~1/N) and
// removing one moves only the keys it held — exactly, with no collision
// shuffling between the others. Kong's `slots` sizes the lookup table that
// takes a key to its neighbourhood in O(1), so a pick never searches or
// allocates. Built once per balancer (config swap or DNS change).
import { hashString } from './hash.js';
import type { TargetAddress } from './types.js';

const POINTS_PER_ADDRESS = 160;
/** Kong's continuum is never smaller than 1000, whatever `slots` says. */
const MIN_SLOTS = 1000;
const SPACE = 2 ** 32;

export interface Ring {
  /** Addresses with weight > 0, sorted by address string. */
  readonly addresses: readonly TargetAddress[];
  /** Point hashes, ascending. */
  readonly hashes: Uint32Array;
  /** Index into `addresses` of each point's owner. */
  readonly owners: Int32Array;
  /** Lookup table: bucket b → index of the first point with hash ≥ b · 2^32 / buckets. */
  readonly first: Int32Array;
  /** What the ring was built from: equal signatures build equal rings. */
  readonly signature: string;
}

export function ringSignature(addresses: readonly TargetAddress[], slots: number): string {
  const parts = addresses.filter((a) => a.weight > 0).map((a) => `${a.address}/${a.weight}`);
  parts.sort();
  return `${Math.max(slots, MIN_SLOTS)}|${parts.join(',')}`;
}

export function buildRing(addresses: readonly TargetAddress[], slots: number): Ring {
  const sorted = addresses.filter((a) => a.weight > 0).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const total = sorted.reduce((s, a) => s + a.weight, 0);
  const points: { h: number; owner: number }[] = [];
  sorted.forEach((a, owner) => {
    const entries = Math.max(1, Math.floor((a.weight / total) * sorted.length * POINTS_PER_ADDRESS));
    for (let n = 1; n <= entries; n++) points.push({ h: hashString(`${a.address} ${n}`), owner });
  });
  // Ties (equal 32-bit hashes) order by owner, so a build never depends on input order.
  points.sort((x, y) => x.h - y.h || x.owner - y.owner);
  const hashes = Uint32Array.from(points, (p) => p.h);
  const owners = Int32Array.from(points, (p) => p.owner);
  const buckets = Math.max(slots, MIN_SLOTS);
  const first = new Int32Array(buckets);
  for (let b = 0, i = 0; b < buckets; b++) {
    const start = Math.ceil((b * SPACE) / buckets);
    while (i < hashes.length && hashes[i]! < start) i++;
    first[b] = i;
  }
  return { addresses: sorted, hashes, owners, first, signature: ringSignature(addresses, slots) };
}

/** Index of the point owning `key` (a 32-bit hash); the ring must have points. */
export function pointOf(ring: Ring, key: number): number {
  const hashes = ring.hashes;
  const n = hashes.length;
  let i = ring.first[Math.floor((key * ring.first.length) / SPACE)]!;
  while (i < n && hashes[i]! < key) i++;
  return i === n ? 0 : i;
}
