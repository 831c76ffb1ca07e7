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

// Portico additions beside Kong's fields (absent from bodies written before
// them, so Optional; the admin API fills their defaults on every write).
// Envoy's outlier ejection: how long a target that passive checks found
// unhealthy stays out of the pool. The n-th consecutive ejection lasts
// n × base_ejection_time (capped at max_ejection_time); at most
// max_ejection_percent of the targets are ejected at once, but always at least
// one when the upstream has two or more, and never the last available one.
export const OutlierDetectionSchema = Rec({
  base_ejection_time: Type.Number({ minimum: 0.001, maximum: 65535, default: 30 }),
  max_ejection_time: Type.Number({ minimum: 0.001, maximum: 65535, default: 300 }),
  max_ejection_percent: Type.Integer({ minimum: 0, maximum: 100, default: 10 }),
});

// Envoy's circuit-breaker thresholds, per upstream and per data plane. 0 = no limit.
export const CircuitBreakersSchema = Rec({
  /** Requests on an upstream connection at once (HTTP/1.1: one per connection); more wait as pending. */
  max_connections: Count(1024),
  /** Requests waiting for a connection; more are answered 503 at once. */
  max_pending_requests: Count(1024),
  /** Requests in flight to the upstream, waiting or not; more are answered 503 at once. */
  max_requests: Count(1024),
  /**
   * Consecutive failed attempts (connection failure, timeout, 5xx) that open
   * the breaker: every request is then answered 503 at once for open_timeout
   * seconds, after which one probe request is let through (half-open) — its
   * success closes the breaker, its failure opens it again. 0 = never opens.
   */
  consecutive_failures: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  open_timeout: Type.Number({ minimum: 0.001, maximum: 65535, default: 10 }),
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
    outlier_detection: Type.Optional(OutlierDetectionSchema),
    circuit_breakers: Type.Optional(CircuitBreakersSchema),
  },
  { additionalProperties: false },
);

/** An upstream as stored and carried in snapshots: every field present, defaults filled. */
export type Upstream = Static<typeof UpstreamSchema>;
export type Healthchecks = Static<typeof HealthchecksSchema>;
export type OutlierDetection = Static<typeof OutlierDetectionSchema>;
export type CircuitBreakers = Static<typeof CircuitBreakersSchema>;
