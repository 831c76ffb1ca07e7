// What the admin API reads about connected data planes. The cluster server
// implements ClusterView; the admin layer only renders it.

/** One row of `GET /clustering/data-planes`: Kong's fields plus Portico's. */
export interface DataPlaneStatus {
  id: string;
  hostname: string;
  ip: string;
  /** Software version the node reported. */
  version: string;
  /** Seconds since the epoch when the node last sent anything. */
  last_seen: number;
  /** Hash of the config the node last ACKed (Kong: config_hash). */
  config_hash: string;
  /** Kong's values: `normal` when in sync, `unknown` before the first ACK. */
  sync_status: 'normal' | 'unknown' | 'config_rejected';
  labels: Record<string, string>;
  connected: boolean;
  /** Portico: the config version the node has applied (ACKed). */
  config_version: number;
  /** Portico: the last NACK's error, or null. */
  last_error: string | null;
  last_error_version: number | null;
  /** Portico: counts from the node's latest health report on its current stream, or null before one. */
  health: DataPlaneHealthSummary | null;
}

/** Kong's health words, as `GET /upstreams/{u}/health` shows them. */
export type HealthState = 'HEALTHY' | 'UNHEALTHY' | 'DNS_ERROR' | 'HEALTHCHECKS_OFF';

export interface AddressHealth {
  ip: string;
  port: number;
  health: HealthState;
  weight: number;
}

export interface TargetHealth {
  target_id: string;
  /** host:port as configured. */
  target: string;
  weight: number;
  health: HealthState;
  addresses: AddressHealth[];
}

/** One node's view of one upstream. */
export interface UpstreamHealth {
  upstream_id: string;
  upstream_name: string;
  targets: TargetHealth[];
}

/** A node's latest health report. */
export interface NodeHealth {
  node_id: string;
  /** Whether the node's stream is open: only connected nodes' views count. */
  connected: boolean;
  /** Seconds since the epoch (control-plane clock) of the node's last report or heartbeat. */
  reported_at: number;
  /** Seconds since the epoch when the view last changed. */
  changed_at: number;
  upstreams: UpstreamHealth[];
}

/** The `health` of a `GET /clustering/data-planes` row. DNS_ERROR counts as unhealthy; HEALTHCHECKS_OFF as neither. */
export interface DataPlaneHealthSummary {
  upstreams: number;
  targets_healthy: number;
  targets_unhealthy: number;
  reported_at: number;
}

export interface ClusterView {
  dataPlanes(): DataPlaneStatus[];
  /** Number of currently open streams. */
  connectedCount(): number;
  /**
   * Every node's latest health report (one per node, on its current stream).
   * Optional so a view without health (a fixed test view) still fits: absent
   * reads as "no node has reported".
   */
  nodeHealth?(): NodeHealth[];
}
