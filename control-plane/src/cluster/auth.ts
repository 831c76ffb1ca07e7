// Stream authentication: `authorization: Bearer <token>` metadata, compared in
// constant time. Both sides are hashed first so the comparison length never
// depends on (or reveals) the token's length.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** A checker bound to one token; the token itself is not kept. */
export function bearerChecker(token: string): (metadata: Metadata) => boolean {
  const expected = digest(token);
  return (metadata) => {
    const values = metadata.get('authorization');
    if (values.length !== 1) return false;
    const value = values[0];
    if (typeof value !== 'string') return false;
    const m = /^Bearer (.+)$/i.exec(value);
    if (!m) return false;
    return timingSafeEqual(digest(m[1]!), expected);
  };
}
