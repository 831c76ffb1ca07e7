// What kong.client.authenticate tells the upstream (Kong's set_consumer in
// kong/pdk/client.lua and the auth plugins): X-Consumer-ID, X-Consumer-Custom-ID,
// X-Consumer-Username, X-Credential-Identifier, X-Anonymous-Consumer, each
// set or cleared. The edits depend only on the consumer and credential, so
// they are built once per credential at compile time (and once per plugin
// instance for an anonymous consumer), not on every request.
import type { CompiledConsumer } from '../compile/types.js';
import type { PluginContext } from './context.js';

export interface Identity {
  readonly consumer: CompiledConsumer;
  /** null for an anonymous consumer. */
  readonly credential: { readonly id: string } | null;
  /** Upstream header edits, [lower-case name, value or null (clear)] pairs. */
  readonly edits: readonly (string | null)[];
}

export function identityOf(consumer: CompiledConsumer, credentialId: string | null): Identity {
  const edits: (string | null)[] = [
    'x-consumer-id', consumer.id,
    'x-consumer-custom-id', consumer.customId,
    'x-consumer-username', consumer.username,
  ];
  if (credentialId !== null) edits.push('x-credential-identifier', credentialId, 'x-anonymous-consumer', null);
  else edits.push('x-credential-identifier', null, 'x-anonymous-consumer', 'true');
  return Object.freeze({ consumer, credential: credentialId === null ? null : Object.freeze({ id: credentialId }), edits: Object.freeze(edits) });
}

/** kong.client.authenticate plus its headers to the upstream. */
export function authenticate(ctx: PluginContext, identity: Identity): void {
  ctx.consumer = identity.consumer;
  ctx.credential = identity.credential;
  ctx.editUpstreamHeaders(identity.edits);
}
