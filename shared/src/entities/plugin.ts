// Kong's `plugins` entity (kong/db/schema/entities/plugins.lua). `config` is
// validated against the named plugin's own schema (shared/src/plugins), so here
// it is any record; stored configs are complete (defaults filled).
import { Type, type Static } from '@sinclair/typebox';
import { ForeignRef, Nullable, Protocol, Tags, TimestampS, Uuid } from './common.js';

const PhaseList = Type.Record(Type.String(), Type.Array(Type.String()));

export const PluginSchema = Type.Object(
  {
    id: Uuid,
    name: Type.String({ minLength: 1 }),
    instance_name: Nullable(Type.String({ minLength: 1 })),
    created_at: TimestampS,
    updated_at: TimestampS,
    route: Nullable(ForeignRef),
    service: Nullable(ForeignRef),
    consumer: Nullable(ForeignRef),
    config: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
    protocols: Type.Array(Protocol, { uniqueItems: true, minItems: 1, default: ['grpc', 'grpcs', 'http', 'https'] }),
    enabled: Type.Boolean({ default: true }),
    tags: Tags,
    /** Kong's dynamic ordering: `{before: {access: [names]}, after: {…}}`. */
    ordering: Nullable(Type.Object({ before: Type.Optional(PhaseList), after: Type.Optional(PhaseList) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export type Plugin = Static<typeof PluginSchema>;
