// Kong's `routes` entity, traditional router flavour (kong/db/schema/entities/routes.lua),
// plus Portico's traffic-splitting fields beside Kong's (they never change a Kong field's meaning).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ForeignRef, Nullable, Protocol, Tags, TimestampS, Uuid } from './common.js';

/** Nullable, filled with null when absent (an Optional field is otherwise left out). */
const NullByDefault = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()], { default: null });

/** Weights of a split, like Kong's target weights (0 takes no traffic). */
export const BACKEND_WEIGHT_MAX = 1000;
export const BACKEND_HASH_ON = ['none', 'consumer', 'ip', 'header', 'cookie'] as const;
export type BackendHashOn = (typeof BACKEND_HASH_ON)[number];

/** One service of a weighted split: `{"service": {"id": …}, "weight": 10}`. */
export const RouteBackendSchema = Type.Object(
  {
    service: ForeignRef,
    weight: Type.Integer({ minimum: 0, maximum: BACKEND_WEIGHT_MAX, default: 100 }),
  },
  { additionalProperties: false },
);

/** A shadow service receiving a fire-and-forget copy of `percentage` % of the route's requests. */
export const RouteMirrorSchema = Type.Object(
  {
    service: ForeignRef,
    percentage: Type.Number({ minimum: 0, maximum: 100, default: 100 }),
  },
  { additionalProperties: false },
);

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
    // ── Portico additions ──
    // Optional in the schema so bodies written before they existed (and
    // Kong-shaped fixtures) stay valid; the admin API and declarative apply
    // always store them, defaults filled.
    /** Weighted split over services; mutually exclusive with `service` (one element = `service`). */
    backends: Type.Optional(NullByDefault(Type.Array(RouteBackendSchema, { minItems: 1, maxItems: 64 }))),
    /** What keeps a client on one backend: none (random per request), consumer, ip, header or cookie. */
    backend_hash_on: Type.Optional(Type.Union(BACKEND_HASH_ON.map((v) => Type.Literal(v)), { default: 'none' })),
    backend_hash_on_header: Type.Optional(NullByDefault(Type.String({ minLength: 1 }))),
    backend_hash_on_cookie: Type.Optional(NullByDefault(Type.String({ minLength: 1 }))),
    mirror: Type.Optional(NullByDefault(RouteMirrorSchema)),
  },
  { additionalProperties: false },
);

/** A route as stored and as carried in snapshots: every field present, defaults filled. */
export type Route = Static<typeof RouteSchema>;
export type RouteBackend = Static<typeof RouteBackendSchema>;
export type RouteMirror = Static<typeof RouteMirrorSchema>;
