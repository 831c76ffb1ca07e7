// The health of one address of one upstream: Kong's counters for active
// probes and passive observations, kept apart so each keeps its own
// thresholds, plus Envoy-style ejection. Plain integer fields: the request
// path updates them with a few operations and no allocation.
import type { HealthState } from './types.js';

export class TargetHealth {
  /** False while active probes say unhealthy. Starts true (Kong: targets start healthy). */
  activeHealthy = true;
  /** True while passive outlier detection keeps the target out of the pool. */
  ejected = false;
  /** activeHealthy && !ejected: what balancers read. */
  available = true;

  // Active counters (lua-resty-healthcheck: a success resets the failures, a failure the successes).
  aSuccesses = 0;
  aTcpFailures = 0;
  aTimeouts = 0;
  aHttpFailures = 0;

  // Passive counters (a healthy response resets them).
  pTcpFailures = 0;
  pTimeouts = 0;
  pHttpFailures = 0;

  /** Consecutive-ejection multiplier (Envoy): the n-th ejection lasts n × base. */
  ejections = 0;
  /** When the last ejection ended (ms, performance.now()); the multiplier decays from there. */
  readmittedAt = 0;
  ejectionTimer: NodeJS.Timeout | null = null;

  /** Set by the registry's sync: the target's configured weight, for reports. */
  weight = 0;
  targetId = '';

  constructor(
    readonly upstream: string,
    /** `host:port` as dialled (IPv6 in brackets). */
    readonly address: string,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Kong's word for this target now; HEALTHCHECKS_OFF when the upstream checks nothing. */
  state(checksOn: boolean): HealthState {
    if (!checksOn) return 'HEALTHCHECKS_OFF';
    return this.available ? 'HEALTHY' : 'UNHEALTHY';
  }

  resetActiveCounters(): void {
    this.aSuccesses = this.aTcpFailures = this.aTimeouts = this.aHttpFailures = 0;
  }

  resetPassiveCounters(): void {
    this.pTcpFailures = this.pTimeouts = this.pHttpFailures = 0;
  }

  clearTimer(): void {
    if (this.ejectionTimer !== null) clearTimeout(this.ejectionTimer);
    this.ejectionTimer = null;
  }
}
