// A route's weighted split: the bucket table the compile step lays out once,
// and the per-request pick (one hash of the sticky key, one array read).
//
// Layout: BUCKETS buckets; bucket b belongs to the backend i with the smallest
// E(i, b) / weight(i), where E(i, b) = -ln U(i, b) and U is a fixed
// pseudo-random number in (0, 1) drawn from (backend service id, b) — weighted
// rendezvous hashing, one "exponential race" per bucket. A backend's share of
// buckets is its share of the weights (within sampling error: ±√(s·BUCKETS)
// buckets). A key hashes to one bucket, so it always lands on the same backend
// while the weights stay.
//
// The guarantee, from the race: raising backend X's weight (whatever else
// falls) only lowers X's ratio and never lowers another's, so
//   1. a key on X stays on X ("never back off it");
//   2. a key on a backend whose weight did not change moves only onto X;
//   3. keys move off a backend only when its own share fell.
// With two backends (stable + canary) that means a 1 → 5 → 25 → 100 rollout
// only ever moves keys from stable onto canary. With three or more, a key
// leaving a backend that fell may go to any backend whose ratio now wins, not
// only to X. No layout computed from the weights alone can promise more once
// three backends trade weight: "transfers between two leave the third's keys
// alone" forces each backend's key set to depend on its own weight only, and
// two such sets cannot be disjoint for every split (the checked-in unit test
// exercises 1–3 above; keep this argument in mind before "improving" it).
//
// The table depends only on the backends' service ids and weights, so every
// data plane, and every route splitting over the same services with the same
// weights, assigns a key to the same backend.
import { randomUUID } from 'node:crypto';
import type { BackendHashOn } from '@portico/shared';
import { fmix32, hashRange } from '../balancer/hash.js';
import type { PickInput } from '../balancer/types.js';
import type { CompiledBackends, CompiledService } from '../compile/types.js';

export const BUCKET_BITS = 14;
export const BUCKETS = 1 << BUCKET_BITS;
const MASK = BUCKETS - 1;

/** The finished hash of s[start, end) (the balancer's FNV-1a + fmix32), without slicing. */
const hashOf = (s: string, start: number, end: number): number => fmix32(hashRange(s, start, end));

/** The bucket a sticky key falls in. */
export const bucketOf = (key: string): number => hashOf(key, 0, key.length) & MASK;

export interface BackendWeight {
  readonly serviceId: string;
  /** 0 takes no bucket. */
  readonly weight: number;
}

/**
 * bucket → index into `backends`. At least one weight must be > 0 (the
 * schema refuses a split without one; the caller checks disabled services).
 */
export function layoutBuckets(backends: readonly BackendWeight[]): Uint8Array {
  if (backends.length > 255) throw new RangeError('at most 255 backends');
  const table = new Uint8Array(BUCKETS);
  const seeds = backends.map((b) => hashOf(b.serviceId, 0, b.serviceId.length));
  for (let b = 0; b < BUCKETS; b++) {
    const mixed = fmix32(b + 0x9e3779b9);
    let best = -1;
    let bestScore = Infinity;
    for (let i = 0; i < backends.length; i++) {
      const w = backends[i]!.weight;
      if (w <= 0) continue;
      // U in (0, 1): never 0, so -ln U is finite and positive.
      const u = (fmix32(seeds[i]! ^ mixed) + 0.5) / 4294967296;
      const score = -Math.log(u) / w;
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best < 0) throw new RangeError('no backend has a weight greater than 0');
    table[b] = best;
  }
  return table;
}

// Layouts by (ids, weights): a compile that rebuilds many routes over the same
// split, or a weight flipping back, reuses the table instead of re-racing.
const layouts = new Map<string, Uint8Array>();
const LAYOUT_CACHE_MAX = 256;

export function cachedLayout(backends: readonly BackendWeight[]): Uint8Array {
  const key = backends.map((b) => `${b.serviceId}:${b.weight}`).join(',');
  let table = layouts.get(key);
  if (table === undefined) {
    table = layoutBuckets(backends);
    if (layouts.size >= LAYOUT_CACHE_MAX) layouts.delete(layouts.keys().next().value!);
    layouts.set(key, table);
  }
  return table;
}

/**
 * The backend for this request. A sticky key that is missing falls back to a
 * random bucket; in cookie mode a missing cookie gets a fresh random value,
 * set on the response (Kong's hash_on_cookie), so the client is sticky from
 * its next request on.
 */
/**
 * The backend service for this request. `input` is the request's one
 * PickInput (shared with the balancer and retries); a generated split cookie
 * is left in `input.backendCookie` for the proxy to add to the response head.
 */
export function pickBackend(split: CompiledBackends, input: PickInput): CompiledService {
  return split.services[split.table[bucketFor(split, input)]!]!;
}

function bucketFor(split: CompiledBackends, input: PickInput): number {
  const { req, consumerId } = input;
  switch (split.hashOn) {
    case 'none':
      break;
    case 'consumer':
      if (consumerId !== null) return bucketOf(consumerId);
      break;
    case 'ip':
      if (input.clientIp !== '') return bucketOf(input.clientIp);
      break;
    case 'header': {
      const v = req.headers[split.header!];
      const s = typeof v === 'string' ? v : v?.[0];
      if (s !== undefined && s !== '') return bucketOf(s);
      break;
    }
    case 'cookie': {
      const found = cookieBucket(req.headers.cookie, split.cookie!);
      if (found >= 0) return found;
      const value = randomUUID();
      input.backendCookie = `${split.cookie!}=${value}; Path=/; HttpOnly`;
      return bucketOf(value);
    }
  }
  return (Math.random() * BUCKETS) | 0;
}

/** The bucket of cookie `name`'s value in a Cookie header, or -1; hashes in place. */
export function cookieBucket(header: string | undefined, name: string): number {
  if (header === undefined) return -1;
  let at = 0;
  while (at < header.length) {
    while (header.charCodeAt(at) === 32) at++;
    const end = header.indexOf(';', at);
    const stop = end < 0 ? header.length : end;
    if (header.startsWith(name, at) && header.charCodeAt(at + name.length) === 61 /* = */) {
      const start = at + name.length + 1;
      return start < stop ? hashOf(header, start, stop) & MASK : -1;
    }
    at = stop + 1;
  }
  return -1;
}

export type { BackendHashOn };
