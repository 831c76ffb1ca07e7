// Kong's `consumers` entity (kong/db/schema/entities/consumers.lua): at least
// one of username and custom_id, each unique.
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Tags, TimestampS, Uuid } from './common.js';

export const ConsumerSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    updated_at: TimestampS,
    username: Nullable(Type.String({ minLength: 1 })),
    custom_id: Nullable(Type.String({ minLength: 1 })),
    tags: Tags,
  },
  { additionalProperties: false },
);

export type Consumer = Static<typeof ConsumerSchema>;
