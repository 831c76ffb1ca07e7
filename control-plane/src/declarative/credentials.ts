// Basic-auth passwords in a document are plaintext (Kong's `_transform: true`,
// the default) or already stored hashes (`_transform: false`, which export
// writes). Plaintext is hashed here, but a password that still matches the
// stored hash keeps that hash: hashes are salted, and re-applying the same
// file must not rewrite the row.
import { hashBasicAuthPassword, isHashedPassword, verifyBasicAuthPassword } from '@portico/shared';
import type { EntityBody } from '../store/store.js';
import type { FlatEntity } from './flatten.js';

export function storedPassword(e: FlatEntity, existing: EntityBody | undefined, transform: boolean): FlatEntity {
  if (e.type !== 'basicauth_credentials') return e;
  const password = e.body['password'];
  if (typeof password !== 'string' || !transform || isHashedPassword(password)) return e;
  const consumerId = (e.body['consumer'] as { id?: string } | null)?.id ?? '';
  const old = existing?.['password'];
  const keep = typeof old === 'string' && verifyBasicAuthPassword(old, password, consumerId);
  return { ...e, body: { ...e.body, password: keep ? old : hashBasicAuthPassword(password) } };
}
