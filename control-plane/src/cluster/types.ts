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
}

export interface ClusterView {
  dataPlanes(): DataPlaneStatus[];
  /** Number of currently open streams. */
  connectedCount(): number;
}
