// Kong's `routes` entity, traditional router flavour (kong/db/schema/entities/routes.lua).
import { Type, type Static } from '@sinclair/typebox';
import { ForeignRef, Nullable, Protocol, Tags, TimestampS, Uuid } from './common.js';

export const RouteSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    updated_at: TimestampS,
    name: Nullable(Type.String({ minLength: 1, maxLength: 128 })),
    protocols: Type.Array(Protocol, { minItems: 1, uniqueItems: true, default: ['http', 'https'] }),
    methods: Nullable(Type.Array(Type.String({ pattern: '^[A-Z]+$' }), { uniqueItems: true })),
    hosts: Nullable(Type.Array(Type.String({ minLength: 1 }))),
    paths: Nullable(Type.Array(Type.String({ minLength: 1 }))),
    /** header name (any case; matched case-insensitively) → accepted values; a value prefixed `~*` is a regex */
    headers: Nullable(Type.Record(Type.String(), Type.Array(Type.String()))),
    https_redirect_status_code: Type.Union([426, 301, 302, 307, 308].map((c) => Type.Literal(c)), { default: 426 }),
    regex_priority: Type.Integer({ default: 0 }),
    strip_path: Type.Boolean({ default: true }),
    path_handling: Type.Union([Type.Literal('v0'), Type.Literal('v1')], { default: 'v0' }),
    preserve_host: Type.Boolean({ default: false }),
    request_buffering: Type.Boolean({ default: true }),
    response_buffering: Type.Boolean({ default: true }),
    snis: Nullable(Type.Array(Type.String())),
    sources: Nullable(Type.Array(Type.Object({ ip: Type.Optional(Type.String()), port: Type.Optional(Type.Integer()) }))),
    destinations: Nullable(Type.Array(Type.Object({ ip: Type.Optional(Type.String()), port: Type.Optional(Type.Integer()) }))),
    tags: Tags,
    service: Nullable(ForeignRef),
  },
  { additionalProperties: false },
);

/** A route as stored and as carried in snapshots: every field present, defaults filled. */
export type Route = Static<typeof RouteSchema>;
