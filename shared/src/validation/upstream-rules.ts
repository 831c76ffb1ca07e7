// Kong's upstreams and targets beyond field types
// (kong/db/schema/entities/upstreams.lua, targets.lua, dao/targets.lua): the
// name must be a hostname, the hashing conditionals, and targets normalized to
// host:port with Kong's default port.
import { TARGET_DEFAULT_PORT } from '../entities/target.js';
import type { Body } from './entity-validator.js';
import { parseHost } from './field-checks.js';
import type { FieldErrors } from './kong-format.js';
import { Msg } from './messages.js';

export function checkUpstreamName(value: string): string | undefined {
  const h = parseHost(value);
  if (!h) return Msg.upstreamName.invalid;
  if (h.type !== 'name') return Msg.upstreamName.ip;
  if (h.port) return Msg.upstreamName.port;
  return undefined;
}

/** RFC 6265 cookie-name token, as Kong's utils.validate_cookie_name. */
export function checkCookieName(value: string): string | undefined {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value) ? undefined : Msg.cookieName;
}

type Rule =
  | { if: string; is: string; require: string }
  | { if: string; is: string; field: string; oneOf: readonly string[] };

const ALL_BUT = (...not: string[]) => ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'].filter((v) => v === 'none' || !not.includes(v));

// Kong's `conditional` entity checks, in Kong's order.
const RULES: readonly Rule[] = [
  { if: 'hash_on', is: 'header', require: 'hash_on_header' },
  { if: 'hash_fallback', is: 'header', require: 'hash_fallback_header' },
  { if: 'hash_on', is: 'cookie', require: 'hash_on_cookie' },
  { if: 'hash_fallback', is: 'cookie', require: 'hash_on_cookie' },
  { if: 'hash_on', is: 'none', field: 'hash_fallback', oneOf: ['none'] },
  { if: 'hash_on', is: 'cookie', field: 'hash_fallback', oneOf: ['none'] },
  { if: 'hash_on', is: 'consumer', field: 'hash_fallback', oneOf: ALL_BUT('consumer') },
  { if: 'hash_on', is: 'ip', field: 'hash_fallback', oneOf: ALL_BUT('ip') },
  { if: 'hash_on', is: 'path', field: 'hash_fallback', oneOf: ALL_BUT('path') },
  { if: 'hash_on', is: 'query_arg', require: 'hash_on_query_arg' },
  { if: 'hash_fallback', is: 'query_arg', require: 'hash_fallback_query_arg' },
  { if: 'hash_on', is: 'uri_capture', require: 'hash_on_uri_capture' },
  { if: 'hash_fallback', is: 'uri_capture', require: 'hash_fallback_uri_capture' },
];

const DISTINCT = [
  ['hash_on_header', 'hash_fallback_header'],
  ['hash_on_query_arg', 'hash_fallback_query_arg'],
  ['hash_on_uri_capture', 'hash_fallback_uri_capture'],
] as const;

export function upstreamEntityChecks(entity: Body): FieldErrors | undefined {
  const errors: FieldErrors = {};
  const entityErrors: string[] = [];
  for (const rule of RULES) {
    if (entity[rule.if] !== rule.is) continue;
    if ('require' in rule) {
      if (entity[rule.require] !== null && entity[rule.require] !== undefined) continue;
      errors[rule.require] = Msg.REQUIRED;
    } else {
      if (rule.oneOf.includes(entity[rule.field] as string)) continue;
      errors[rule.field] = Msg.oneOf(rule.oneOf);
    }
    entityErrors.push(Msg.conditional(rule.if));
  }
  for (const [a, b] of DISTINCT) {
    if (entity[a] !== null && entity[a] === entity[b]) entityErrors.push(Msg.distinct([a, b]));
  }
  if (entityErrors.length > 0) errors['@entity'] = entityErrors;
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/**
 * `host`, `host:port`, `1.2.3.4`, `::1` or `[::1]:80` → `host:port`, adding
 * Kong's default port 8000; undefined when it is not a host or IP.
 */
export function normalizeTarget(value: string): string | undefined {
  const h = parseHost(value);
  if (!h) return undefined;
  if (h.port) return value;
  if (h.type === 'ipv6') return `${value.startsWith('[') ? value : `[${value}]`}:${TARGET_DEFAULT_PORT}`;
  return `${value}:${TARGET_DEFAULT_PORT}`;
}

export function targetEntityChecks(entity: Body): FieldErrors | undefined {
  const given = entity['target'] as string;
  const normalized = normalizeTarget(given);
  if (normalized === undefined) return { target: Msg.target(given) };
  entity['target'] = normalized;
  return undefined;
}
