// Kong's `targets` entity (kong/db/schema/entities/targets.lua): one backend
// address of an upstream. `target` is always stored as host:port (Kong appends
// its default port 8000 when none is given).
import { Type, type Static } from '@sinclair/typebox';
import { ForeignRef, Tags, Uuid } from './common.js';

/** Kong's auto_timestamp_ms: seconds since the epoch with millisecond precision. */
const TimestampMs = Type.Number({ minimum: 0 });

export const TARGET_DEFAULT_PORT = 8000;

export const TargetSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampMs,
    updated_at: TimestampMs,
    upstream: ForeignRef,
    target: Type.String({ minLength: 1 }),
    weight: Type.Integer({ minimum: 0, maximum: 65535, default: 100 }),
    tags: Tags,
  },
  { additionalProperties: false },
);

export type Target = Static<typeof TargetSchema>;
