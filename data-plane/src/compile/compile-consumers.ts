// Consumers and their credentials → the ConsumerTable the auth plugins read.
// key-auth keys are indexed by digest (see ConsumerTable), computed here once.
import type { Consumer, KeyAuthCredential } from '@portico/shared';
import { keyDigest } from '../plugins/key-auth/handler.js';
import { identityOf } from '../plugins/identity.js';
import { FrozenMap } from './frozen.js';
import { invalid } from './invalid.js';
import type { CompiledConsumer, ConsumerTable, KeyAuthCredentialEntry } from './types.js';

export function compileConsumers(consumers: ReadonlyMap<string, Consumer>, keyAuth: ReadonlyMap<string, KeyAuthCredential>): ConsumerTable {
  const byId = new Map<string, CompiledConsumer>();
  const byUsername = new Map<string, CompiledConsumer>();
  for (const c of consumers.values()) {
    const compiled: CompiledConsumer = Object.freeze({ id: c.id, username: c.username, customId: c.custom_id });
    byId.set(c.id, compiled);
    if (c.username !== null) {
      if (byUsername.has(c.username)) invalid(`consumer '${c.id}': username: '${c.username}' is used by another consumer`);
      byUsername.set(c.username, compiled);
    }
  }
  const keys = new Map<string, KeyAuthCredentialEntry>();
  for (const cred of keyAuth.values()) {
    const consumer = byId.get(cred.consumer.id);
    if (consumer === undefined) invalid(`keyauth_credential '${cred.id}': consumer: references consumer '${cred.consumer.id}', which is not in the snapshot`);
    const digest = keyDigest(cred.key);
    // Never name the key itself: messages reach logs and the control plane.
    if (keys.has(digest)) invalid(`keyauth_credential '${cred.id}': key: same key as keyauth_credential '${keys.get(digest)!.credentialId}'`);
    keys.set(digest, Object.freeze({ credentialId: cred.id, consumer: consumer!, identity: identityOf(consumer!, cred.id) }));
  }
  return Object.freeze({ byId: new FrozenMap(byId), byUsername: new FrozenMap(byUsername), keyAuthByDigest: new FrozenMap(keys) });
}
