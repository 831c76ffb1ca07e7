// A 32-bit string hash over a range of a string, so the request path can hash
// a header value, a cookie or a query argument in place without slicing it.
// FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so that keys
// differing in one character land far apart on the ring.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function hashRange(s: string, start: number, end: number, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The finished hash of a whole string (non-negative 32-bit integer). */
export const hashString = (s: string): number => fmix32(hashRange(s, 0, s.length));
