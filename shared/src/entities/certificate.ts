// Kong's `certificates` entity (kong/db/schema/entities/certificates.lua). The
// `snis` shorthand of the admin API is not stored here: each SNI is its own
// `snis` row; responses add the names back (see the admin certificates plugin).
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Tags, TimestampS, Uuid } from './common.js';

export const CertificateSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    updated_at: TimestampS,
    cert: Type.String({ minLength: 1 }),
    key: Type.String({ minLength: 1 }),
    cert_alt: Nullable(Type.String({ minLength: 1 })),
    key_alt: Nullable(Type.String({ minLength: 1 })),
    tags: Tags,
  },
  { additionalProperties: false },
);

export type Certificate = Static<typeof CertificateSchema>;
