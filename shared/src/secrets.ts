// Shared secrets (the cluster token): read from a flag, an env var or a file,
// compared in constant time, never logged.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Reads the token at `path`, creating a random one (mode 0600) when the file is missing. */
export function loadOrCreateToken(path: string): { token: string; created: boolean } {
  if (existsSync(path)) return { token: readToken(path), created: false };
  mkdirSync(dirname(path), { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, token + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { token, created: true };
}

export function readToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 16) throw new Error(`token file ${path} holds fewer than 16 characters`);
  return token;
}

/** Constant-time string equality (hashing first so lengths don't leak either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
