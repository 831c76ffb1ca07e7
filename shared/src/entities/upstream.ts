// Kong's `upstreams` entity (kong/db/schema/entities/upstreams.lua, Kong 3.x):
// a virtual hostname with a load-balancing algorithm, hashing inputs and
// active/passive health checks. Defaults are Kong's, field for field.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ForeignRef, Nullable, Tags, TimestampS, Uuid } from './common.js';

export const HASH_ON = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'] as const;
export const ALGORITHMS = ['consistent-hashing', 'least-connections', 'round-robin', 'latency'] as const;
export const HEALTHCHECK_TYPES = ['tcp', 'http', 'https', 'grpc', 'grpcs'] as const;

const literals = <T extends readonly string[]>(values: T, dflt: T[number]) => Type.Union(values.map((v) => Type.Literal(v)), { default: dflt });
const Seconds = (dflt: number) => Type.Number({ minimum: 0, maximum: 65535, default: dflt });
const Count = (dflt: number) => Type.Integer({ minimum: 0, maximum: 2 ** 31, default: dflt });
const HttpStatuses = (dflt: number[]) => Type.Array(Type.Integer({ minimum: 100, maximum: 999 }), { default: dflt });
/** A nested record whose default is "all of its own defaults", as Kong's gen_fields builds them. */
const Rec = <P extends Record<string, TSchema>>(props: P) => Type.Object(props, { additionalProperties: false, default: {} });

export const ActiveHealthcheckSchema = Rec({
  type: literals(HEALTHCHECK_TYPES, 'http'),
  timeout: Seconds(1),
  concurrency: Type.Integer({ minimum: 1, maximum: 2 ** 31, default: 10 }),
  http_path: Type.String({ minLength: 1, default: '/' }),
  https_sni: Nullable(Type.String()),
  https_verify_certificate: Type.Boolean({ default: true }),
  headers: Nullable(Type.Record(Type.String(), Type.Array(Type.String()))),
  healthy: Rec({ interval: Seconds(0), http_statuses: HttpStatuses([200, 302]), successes: Count(0) }),
  unhealthy: Rec({
    interval: Seconds(0),
    http_statuses: HttpStatuses([429, 404, 500, 501, 502, 503, 504, 505]),
    tcp_failures: Count(0),
    timeouts: Count(0),
    http_failures: Count(0),
  }),
});

export const PassiveHealthcheckSchema = Rec({
  type: literals(HEALTHCHECK_TYPES, 'http'),
  healthy: Rec({
    http_statuses: HttpStatuses([200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308]),
    successes: Count(0),
  }),
  unhealthy: Rec({ http_statuses: HttpStatuses([429, 500, 503]), tcp_failures: Count(0), timeouts: Count(0), http_failures: Count(0) }),
});

export const HealthchecksSchema = Rec({
  active: ActiveHealthcheckSchema,
  passive: PassiveHealthcheckSchema,
  threshold: Type.Number({ minimum: 0, maximum: 100, default: 0 }),
});

export const UpstreamSchema = Type.Object(
  {
    id: Uuid,
    created_at: TimestampS,
    updated_at: TimestampS,
    name: Type.String({ minLength: 1 }),
    algorithm: literals(ALGORITHMS, 'round-robin'),
    hash_on: literals(HASH_ON, 'none'),
    hash_fallback: literals(HASH_ON, 'none'),
    hash_on_header: Nullable(Type.String({ minLength: 1 })),
    hash_fallback_header: Nullable(Type.String({ minLength: 1 })),
    hash_on_cookie: Nullable(Type.String({ minLength: 1 })),
    hash_on_cookie_path: Type.String({ minLength: 1, default: '/' }),
    hash_on_query_arg: Nullable(Type.String({ minLength: 1 })),
    hash_fallback_query_arg: Nullable(Type.String({ minLength: 1 })),
    hash_on_uri_capture: Nullable(Type.String({ minLength: 1 })),
    hash_fallback_uri_capture: Nullable(Type.String({ minLength: 1 })),
    slots: Type.Integer({ minimum: 10, maximum: 2 ** 16, default: 10000 }),
    healthchecks: HealthchecksSchema,
    tags: Tags,
    host_header: Nullable(Type.String({ minLength: 1 })),
    client_certificate: Nullable(ForeignRef),
    use_srv_name: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

/** An upstream as stored and carried in snapshots: every field present, defaults filled. */
export type Upstream = Static<typeof UpstreamSchema>;
export type Healthchecks = Static<typeof HealthchecksSchema>;
