// Kong's `snis` entity (kong/db/schema/entities/snis.lua): a server name, maybe
// wildcard (`*.example.com` / `example.*`), served with one certificate.
import { Type, type Static } from '@sinclair/typebox';
import { ForeignRef, Tags, TimestampS, Uuid } from './common.js';

export const SniSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    updated_at: TimestampS,
    name: Type.String({ minLength: 1 }),
    tags: Tags,
    certificate: ForeignRef,
  },
  { additionalProperties: false },
);

export type Sni = Static<typeof SniSchema>;
