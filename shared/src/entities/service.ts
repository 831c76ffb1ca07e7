// Kong's `services` entity (kong/db/schema/entities/services.lua), field for field.
import { Type, type Static } from '@sinclair/typebox';
import { ForeignRef, Nullable, Protocol, Tags, TimestampS, Uuid } from './common.js';

const Timeout = Type.Integer({ minimum: 1, maximum: 2 ** 31 - 2 });

export const ServiceSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    updated_at: TimestampS,
    name: Nullable(Type.String({ minLength: 1, maxLength: 128 })),
    enabled: Type.Boolean({ default: true }),
    retries: Type.Integer({ minimum: 0, maximum: 32767, default: 5 }),
    protocol: Type.Union([Protocol], { default: 'http' }),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 80 }),
    path: Nullable(Type.String({ minLength: 1 })),
    connect_timeout: Type.Union([Timeout], { default: 60000 }),
    write_timeout: Type.Union([Timeout], { default: 60000 }),
    read_timeout: Type.Union([Timeout], { default: 60000 }),
    tags: Tags,
    client_certificate: Nullable(ForeignRef),
    tls_verify: Nullable(Type.Boolean()),
    tls_verify_depth: Nullable(Type.Integer({ minimum: 0, maximum: 64 })),
    ca_certificates: Nullable(Type.Array(Uuid)),
  },
  { additionalProperties: false },
);

/** A service as stored and as carried in snapshots: every field present, defaults filled. */
export type Service = Static<typeof ServiceSchema>;
