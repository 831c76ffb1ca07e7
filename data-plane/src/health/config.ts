// An upstream entity's health settings, prepared once per upstream body:
// seconds become ms, status lists become lookup tables, "0 = off" becomes
// null, so the request path and the probe loops only read numbers.
import type { Upstream } from '@portico/shared';

/** What one response, probe or failed attempt says about a target. */
export const Outcome = { NEUTRAL: 0, SUCCESS: 1, TCP_FAILURE: 2, TIMEOUT: 3, HTTP_FAILURE: 4 } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Status → outcome, indexed by status code (100–999). */
export type StatusTable = Uint8Array;

export interface ActiveConfig {
  readonly type: 'http' | 'https' | 'tcp';
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly httpPath: string;
  readonly httpsSni: string | null;
  readonly verifyCertificate: boolean;
  readonly headers: Readonly<Record<string, string[]>>;
  /** 0 = healthy targets are not probed. */
  readonly healthyIntervalMs: number;
  /** 0 = unhealthy targets are not probed. */
  readonly unhealthyIntervalMs: number;
  readonly thresholds: Thresholds;
  readonly statuses: StatusTable;
  /** Equal keys = same probing; a swap keeps a running checker whose key is unchanged. */
  readonly key: string;
}

/** Kong's counters; 0 disables that transition. */
export interface Thresholds {
  readonly successes: number;
  readonly tcpFailures: number;
  readonly timeouts: number;
  readonly httpFailures: number;
}

export interface PassiveConfig {
  readonly thresholds: Thresholds;
  readonly statuses: StatusTable;
}

export interface OutlierConfig {
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly maxEjectionPercent: number;
}

/** Concurrency limits; Infinity = no limit. */
export interface BreakerLimits {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  /** Consecutive failed attempts that open the breaker; 0 = never. */
  readonly consecutiveFailures: number;
  /** How long an open breaker refuses everything before a half-open probe. */
  readonly openMs: number;
}

export interface UpstreamHealthConfig {
  /** null: active checks off (both intervals 0). */
  readonly active: ActiveConfig | null;
  /** null: passive checks off (every unhealthy threshold 0). */
  readonly passive: PassiveConfig | null;
  readonly outlier: OutlierConfig;
  readonly breakers: BreakerLimits;
}

export const DEFAULT_OUTLIER: OutlierConfig = Object.freeze({ baseEjectionMs: 30_000, maxEjectionMs: 300_000, maxEjectionPercent: 10 });
export const DEFAULT_BREAKERS: BreakerLimits = Object.freeze({ maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, consecutiveFailures: 0, openMs: 10_000 });

/** Health checks off, Envoy's default breakers: what an upstream gets before its config is known. */
export const DEFAULT_HEALTH_CONFIG: UpstreamHealthConfig = Object.freeze({ active: null, passive: null, outlier: DEFAULT_OUTLIER, breakers: DEFAULT_BREAKERS });

function statusTable(healthy: readonly number[], unhealthy: readonly number[]): StatusTable {
  const t = new Uint8Array(1000);
  for (const s of healthy) if (s >= 0 && s < 1000) t[s] = Outcome.SUCCESS;
  // A status in both lists counts as a failure: the safer reading.
  for (const s of unhealthy) if (s >= 0 && s < 1000) t[s] = Outcome.HTTP_FAILURE;
  return t;
}

const limit = (n: number | undefined, dflt: number): number => (n === undefined ? dflt : n === 0 ? Infinity : n);

export function healthConfig(u: Pick<Upstream, 'healthchecks'> & Partial<Pick<Upstream, 'outlier_detection' | 'circuit_breakers'>>): UpstreamHealthConfig {
  const a = u.healthchecks.active;
  const p = u.healthchecks.passive;
  const activeOn = a.healthy.interval > 0 || a.unhealthy.interval > 0;
  const type = a.type === 'https' || a.type === 'grpcs' ? 'https' : a.type === 'tcp' ? 'tcp' : 'http';
  const active: ActiveConfig | null = activeOn
    ? Object.freeze({
        // gRPC health-checking protocol is not spoken yet: grpc(s) probe the
        // target over HTTP(S) on http_path, which gRPC servers answer.
        type,
        timeoutMs: Math.max(1, Math.round(a.timeout * 1000)),
        concurrency: a.concurrency,
        httpPath: a.http_path,
        httpsSni: a.https_sni,
        verifyCertificate: a.https_verify_certificate,
        headers: a.headers ?? {},
        healthyIntervalMs: Math.round(a.healthy.interval * 1000),
        unhealthyIntervalMs: Math.round(a.unhealthy.interval * 1000),
        thresholds: Object.freeze({ successes: a.healthy.successes, tcpFailures: a.unhealthy.tcp_failures, timeouts: a.unhealthy.timeouts, httpFailures: a.unhealthy.http_failures }),
        statuses: statusTable(a.healthy.http_statuses, a.unhealthy.http_statuses),
        key: JSON.stringify(a),
      })
    : null;
  const pu = p.unhealthy;
  const passiveOn = pu.tcp_failures > 0 || pu.timeouts > 0 || (p.type !== 'tcp' && pu.http_failures > 0);
  const passive: PassiveConfig | null = passiveOn
    ? Object.freeze({
        thresholds: Object.freeze({ successes: p.healthy.successes, tcpFailures: pu.tcp_failures, timeouts: pu.timeouts, httpFailures: p.type === 'tcp' ? 0 : pu.http_failures }),
        // A tcp passive check judges connections only: every response is a success.
        statuses: p.type === 'tcp' ? new Uint8Array(1000).fill(Outcome.SUCCESS) : statusTable(p.healthy.http_statuses, pu.http_statuses),
      })
    : null;
  const o = u.outlier_detection;
  const outlier: OutlierConfig =
    o === undefined
      ? DEFAULT_OUTLIER
      : Object.freeze({
          baseEjectionMs: Math.round(o.base_ejection_time * 1000),
          maxEjectionMs: Math.max(Math.round(o.max_ejection_time * 1000), Math.round(o.base_ejection_time * 1000)),
          maxEjectionPercent: o.max_ejection_percent,
        });
  const b = u.circuit_breakers;
  const breakers: BreakerLimits =
    b === undefined
      ? DEFAULT_BREAKERS
      : Object.freeze({
          maxConnections: limit(b.max_connections, 1024),
          maxPendingRequests: limit(b.max_pending_requests, 1024),
          maxRequests: limit(b.max_requests, 1024),
          // Absent in bodies stored before these fields existed.
          consecutiveFailures: b.consecutive_failures ?? 0,
          openMs: Math.round((b.open_timeout ?? 10) * 1000),
        });
  return Object.freeze({ active, passive, outlier, breakers });
}
