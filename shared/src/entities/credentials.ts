// Consumer credentials of Kong's bundled auth plugins (kong/plugins/*/daos.lua):
// key-auth, jwt, basic-auth and ACL groups. Each belongs to one consumer and
// goes when the consumer goes (on_delete = cascade).
import { Type, type Static } from '@sinclair/typebox';
import { ForeignRef, Nullable, Tags, TimestampS, Uuid } from './common.js';

export const KeyAuthCredentialSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    consumer: ForeignRef,
    /** Generated (32 hex characters) when absent, like Kong's `auto = true`. */
    key: Type.String({ minLength: 1 }),
    tags: Tags,
  },
  { additionalProperties: false },
);
export type KeyAuthCredential = Static<typeof KeyAuthCredentialSchema>;

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export const JwtSecretSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    consumer: ForeignRef,
    key: Type.String({ minLength: 1 }),
    secret: Type.String({ minLength: 1 }),
    /** PEM public key; required for the RS*, ES*, PS* and EdDSA algorithms. */
    rsa_public_key: Nullable(Type.String({ minLength: 1 })),
    algorithm: Type.Union(JWT_ALGORITHMS.map((a) => Type.Literal(a)), { default: 'HS256' }),
    tags: Tags,
  },
  { additionalProperties: false },
);
export type JwtSecret = Static<typeof JwtSecretSchema>;

export const BasicAuthCredentialSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    consumer: ForeignRef,
    username: Type.String({ minLength: 1 }),
    /**
     * Never the plaintext: stored as `basicAuthHash` (see shared/src/validation/
     * credential-rules.ts) so a data plane can verify without holding it.
     */
    password: Type.String({ minLength: 1 }),
    tags: Tags,
  },
  { additionalProperties: false },
);
export type BasicAuthCredential = Static<typeof BasicAuthCredentialSchema>;

export const AclSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    consumer: ForeignRef,
    group: Type.String({ minLength: 1 }),
    tags: Tags,
  },
  { additionalProperties: false },
);
export type Acl = Static<typeof AclSchema>;
