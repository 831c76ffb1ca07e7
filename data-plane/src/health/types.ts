// The contract between health tracking (active probes, passive outlier
// detection, circuit breakers) and its readers: balancers skip what is not
// available, the cluster client reports it to the control plane. Health is
// keyed by stable identity — upstream name + the address dialled — so it
// survives config swaps for unchanged upstreams and targets.

/** Kong's health words, as `GET /upstreams/{u}/health` shows them. */
export type HealthState = 'HEALTHY' | 'UNHEALTHY' | 'DNS_ERROR' | 'HEALTHCHECKS_OFF';

export interface HealthView {
  /**
   * Whether a balancer may pick `address` (`ip:port` or `host:port` as dialled)
   * of `upstream` now: false while it is unhealthy by active checks or ejected
   * by passive outlier detection.
   */
  isAvailable(upstream: string, address: string): boolean;
}

/** A view that never marks anything unavailable (health checks off). */
export const ALWAYS_AVAILABLE: HealthView = { isAvailable: () => true };

/** One data plane's view of one upstream, reported to the control plane. */
export interface UpstreamHealthReport {
  upstream_id: string;
  upstream_name: string;
  targets: TargetHealthReport[];
}

export interface TargetHealthReport {
  target_id: string;
  /** `host:port` as configured. */
  target: string;
  weight: number;
  health: HealthState;
  addresses: { ip: string; port: number; health: HealthState; weight: number }[];
}

export interface HealthReporter {
  /** The current health of every upstream in the serving config. */
  report(): UpstreamHealthReport[];
}
