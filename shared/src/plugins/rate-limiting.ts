// rate-limiting's config (Kong 3.x kong/plugins/rate-limiting/schema.lua, redis
// settings nested under `redis` as Kong 3.6+ stores them). Portico implements
// the `local` policy only: `cluster` and `redis` are refused by `check` with a
// clear message, so the admin API answers 400 instead of a data plane
// silently counting locally (the data plane refuses them too, by the same
// check). The redis fields are accepted so a Kong config's shape round-trips.
import { Type, type Static } from '@sinclair/typebox';
import type { PluginSchemaDefinition } from './definition.js';
import { atLeastOneOfMessage, CheckErrors, conditionalMessage, gtMessage, headerNameError, REQUIRED } from './kong-checks.js';

export const RATE_LIMIT_PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
export type RateLimitPeriod = (typeof RATE_LIMIT_PERIODS)[number];
export const LIMIT_BY = ['consumer', 'credential', 'ip', 'service', 'header', 'path', 'consumer-group'] as const;
export const RATE_LIMIT_POLICIES = ['local', 'cluster', 'redis'] as const;
/** Policies this build can run. */
export const IMPLEMENTED_RATE_LIMIT_POLICIES: ReadonlySet<string> = new Set(['local']);

const Limit = Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { default: null });
const NullableString = Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null });
const Port = (dflt: number) => Type.Integer({ minimum: 0, maximum: 65535, default: dflt });
const TimeoutMs = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 2, default: 2000 });

export const RedisConfigSchema = Type.Object(
  {
    host: NullableString,
    port: Port(6379),
    timeout: TimeoutMs,
    connect_timeout: TimeoutMs,
    send_timeout: TimeoutMs,
    read_timeout: TimeoutMs,
    username: NullableString,
    password: NullableString,
    database: Type.Integer({ default: 0 }),
    ssl: Type.Boolean({ default: false }),
    ssl_verify: Type.Boolean({ default: false }),
    server_name: NullableString,
  },
  { additionalProperties: false, default: {} },
);

const literals = <T extends readonly string[]>(values: T, dflt: T[number]) => Type.Union(values.map((v) => Type.Literal(v)), { default: dflt });

export const RateLimitingConfigSchema = Type.Object(
  {
    second: Limit,
    minute: Limit,
    hour: Limit,
    day: Limit,
    month: Limit,
    year: Limit,
    limit_by: literals(LIMIT_BY, 'consumer'),
    header_name: NullableString,
    path: NullableString,
    policy: literals(RATE_LIMIT_POLICIES, 'local'),
    fault_tolerant: Type.Boolean({ default: true }),
    redis: RedisConfigSchema,
    hide_client_headers: Type.Boolean({ default: false }),
    error_code: Type.Number({ exclusiveMinimum: 0, default: 429 }),
    error_message: Type.String({ default: 'API rate limit exceeded' }),
    /** Kong: seconds between counter syncs for cluster/redis; -1 = synchronous. Unused by `local`. */
    sync_rate: Type.Number({ default: -1 }),
  },
  { additionalProperties: false },
);
export type RateLimitingConfig = Static<typeof RateLimitingConfigSchema>;

/** Kong's %.1f. */
const f1 = (n: number): string => n.toFixed(1);

export const RATE_LIMITING: PluginSchemaDefinition = {
  name: 'rate-limiting',
  priority: 910,
  config: RateLimitingConfigSchema,
  protocols: ['grpc', 'grpcs', 'http', 'https'],
  check(config) {
    const c = config as RateLimitingConfig;
    const errors = new CheckErrors();
    // gt = 0 (JSON Schema's exclusiveMinimum has no Kong message of its own).
    for (const p of RATE_LIMIT_PERIODS) {
      const v = c[p];
      if (typeof v === 'number' && !(v > 0)) errors.field([p], gtMessage(0));
    }
    if (!(c.error_code > 0)) errors.field(['error_code'], gtMessage(0));
    if (RATE_LIMIT_PERIODS.every((p) => c[p] === null)) errors.entity(atLeastOneOfMessage(RATE_LIMIT_PERIODS.map((p) => `config.${p}`)));
    // Kong's custom_validator: a longer period may not allow fewer requests.
    order: for (let i = 0; i < RATE_LIMIT_PERIODS.length; i++) {
      const lower = RATE_LIMIT_PERIODS[i]!;
      const v1 = c[lower];
      if (typeof v1 !== 'number') continue;
      for (let j = i + 1; j < RATE_LIMIT_PERIODS.length; j++) {
        const upper = RATE_LIMIT_PERIODS[j]!;
        const v2 = c[upper];
        if (typeof v2 === 'number' && v2 < v1) {
          errors.config(`The limit for ${upper}(${f1(v2)}) cannot be lower than the limit for ${lower}(${f1(v1)})`);
          break order;
        }
      }
    }
    if (c.limit_by === 'header') {
      if (c.header_name === null) {
        errors.field(['header_name'], REQUIRED);
        errors.entity(conditionalMessage('config.limit_by'));
      }
    }
    if (c.header_name !== null) {
      const bad = headerNameError(c.header_name);
      if (bad !== null) errors.field(['header_name'], bad);
    }
    if (c.limit_by === 'path') {
      if (c.path === null) {
        errors.field(['path'], REQUIRED);
        errors.entity(conditionalMessage('config.limit_by'));
      }
    }
    if (c.path !== null && !c.path.startsWith('/')) errors.field(['path'], 'should start with: /');
    if (c.policy === 'redis') {
      if (c.redis.host === null) {
        errors.field(['redis', 'host'], REQUIRED);
        errors.entity(conditionalMessage('config.policy'));
      }
    }
    if (!IMPLEMENTED_RATE_LIMIT_POLICIES.has(c.policy)) {
      errors.field(['policy'], `policy '${c.policy}' is not supported by Portico yet (only 'local' is implemented)`);
    }
    if (c.limit_by === 'consumer-group') {
      errors.field(['limit_by'], "limit_by 'consumer-group' is not supported by Portico (consumer groups are not implemented)");
    }
    return errors.result();
  },
};
