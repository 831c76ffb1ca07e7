// Kong's consumer and credential rules (consumers.lua, plugins/*/daos.lua):
// consumers need a username or custom_id; key-auth keys and jwt key/secret are
// generated when absent (Kong's `auto = true`); asymmetric jwt algorithms
// need a public key that parses; basic-auth passwords are only ever stored hashed.
import { createHash, createPublicKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Body } from './entity-validator.js';
import type { FieldErrors } from './kong-format.js';
import { Msg } from './messages.js';

/** Kong's utils.random_string(): 32 hex characters from a CSPRNG. */
export const randomCredential = (): string => randomBytes(16).toString('hex');

const absent = (v: unknown): boolean => v === undefined || v === null;

export function consumerEntityChecks(entity: Body): FieldErrors | undefined {
  if (!absent(entity['username']) || !absent(entity['custom_id'])) return undefined;
  return { '@entity': [Msg.atLeastOne(['custom_id', 'username'])] };
}

/** Fills generated fields the input left out; idempotent, so it can run more than once. */
export const generateFields =
  (...fields: string[]) =>
  (input: Body): { input: Body } => {
    const out = { ...input };
    for (const f of fields) if (out[f] === undefined) out[f] = randomCredential();
    return { input: out };
  };

const ASYMMETRIC = /^(RS|ES|PS)\d{3}$|^EdDSA$/;

export function jwtEntityChecks(entity: Body): FieldErrors | undefined {
  if (!ASYMMETRIC.test(entity['algorithm'] as string)) return undefined;
  const pem = entity['rsa_public_key'];
  let error: string | undefined;
  if (absent(pem)) error = Msg.REQUIRED;
  else {
    try {
      createPublicKey(pem as string);
    } catch {
      error = Msg.jwtKey;
    }
  }
  return error === undefined ? undefined : { rsa_public_key: error, '@entity': [Msg.conditional('algorithm')] };
}

// Basic-auth password storage. Kong stores sha1(password .. consumer_id); Portico
// stores a salted SHA-256 (`sha256$<salt>$<digest>`) and still verifies Kong's
// format, so credentials imported from a Kong export keep working. A fast hash
// is deliberate: the data plane verifies on every request.
const PREFIX = 'sha256$';

export function hashBasicAuthPassword(password: string): string {
  const salt = randomBytes(16).toString('hex');
  return `${PREFIX}${salt}$${createHash('sha256').update(salt).update(password).digest('hex')}`;
}

/** true when `password` is the one `stored` was made from (constant time in the digest). */
export function verifyBasicAuthPassword(stored: string, password: string, consumerId: string): boolean {
  let expected: Buffer;
  let given: Buffer;
  if (stored.startsWith(PREFIX)) {
    const [salt = '', digest = ''] = stored.slice(PREFIX.length).split('$');
    expected = Buffer.from(digest, 'hex');
    given = createHash('sha256').update(salt).update(password).digest();
  } else if (/^[0-9a-f]{40}$/.test(stored)) {
    expected = Buffer.from(stored, 'hex');
    given = createHash('sha1').update(password).update(consumerId).digest();
  } else return false;
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A stored password (Portico's or Kong's format), as opposed to a plaintext one. */
export const isHashedPassword = (v: string): boolean => /^sha256\$[0-9a-f]{32}\$[0-9a-f]{64}$/.test(v);
