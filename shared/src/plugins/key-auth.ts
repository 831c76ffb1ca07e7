// key-auth's config (Kong 3.x kong/plugins/key-auth/schema.lua): where to look
// for the key, whether to strip it before proxying, and the anonymous
// fallback consumer. Auth plugins cannot be scoped to a consumer.
import { Type, type Static } from '@sinclair/typebox';
import type { PluginSchemaDefinition } from './definition.js';
import { CheckErrors, headerNameError } from './kong-checks.js';

export const KeyAuthConfigSchema = Type.Object(
  {
    key_names: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['apikey'] }),
    hide_credentials: Type.Boolean({ default: false }),
    /** Consumer id or username used when authentication fails; null = answer 401. */
    anonymous: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
    key_in_header: Type.Boolean({ default: true }),
    key_in_query: Type.Boolean({ default: true }),
    key_in_body: Type.Boolean({ default: false }),
    run_on_preflight: Type.Boolean({ default: true }),
    /** WWW-Authenticate realm; null sends Kong's historical `Key realm="kong"`. */
    realm: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
  },
  { additionalProperties: false },
);
export type KeyAuthConfig = Static<typeof KeyAuthConfigSchema>;

export const KEY_AUTH: PluginSchemaDefinition = {
  name: 'key-auth',
  priority: 1250,
  config: KeyAuthConfigSchema,
  noConsumer: true,
  protocols: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'],
  check(config) {
    const errors = new CheckErrors();
    const names = config['key_names'] as readonly string[];
    const bad: (string | null)[] = names.map(headerNameError);
    if (bad.some((e) => e !== null)) errors.field(['key_names'], bad);
    return errors.result();
  },
};
