// The IPC vocabulary between a data-plane primary and its workers (node:cluster
// channel, JSON serialization). One `t` field names each message.
import type { Resource } from '@portico/shared';
import type { UpstreamHealthReport } from '../health/types.js';
import type { MetricSnapshot } from '../metrics/cells.js';
import type { WireDelta } from './config-delta.js';

export interface WireSnapshot {
  version: number;
  hash: string;
  resources: Resource[];
}

/** What a worker needs to serve: sent once, when the worker says `ready`, before any `config`. */
export interface WorkerInit {
  t: 'init';
  proxyHost: string;
  proxyPort: number;
  nodeId: string;
  logLevel: string;
  /** The primary's last good config; null only while the node has never had one. */
  config: WireSnapshot | null;
}

export type PrimaryToWorker =
  | WorkerInit
  | { t: 'config'; config: WireSnapshot }
  /** A change on top of the config the worker holds (the primary tracks which one that is). */
  | { t: 'config-delta'; delta: WireDelta }
  | { t: 'stats'; id: number }
  /** The worker's metric snapshot, for one scrape of the node's /metrics. */
  | { t: 'metrics'; id: number }
  | { t: 'drain'; drainMs: number };

export type WorkerToPrimary =
  /** The worker listens for messages now; anything sent earlier could be lost while its modules load. */
  | { t: 'ready' }
  | { t: 'listening'; port: number }
  | { t: 'applied'; version: number; hash: string }
  | { t: 'apply-failed'; version: number; error: string }
  /** A delta did not fit the config this worker holds: send the whole config. */
  | { t: 'need-full'; holding: number }
  | { t: 'stats'; id: number; inFlight: number; requests: number }
  | { t: 'health'; report: UpstreamHealthReport[] }
  | { t: 'metrics'; id: number; metrics: MetricSnapshot[] };

export const isMessage = (m: unknown): m is { t: string } => typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string';
