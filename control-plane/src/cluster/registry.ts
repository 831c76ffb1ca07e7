// Every node seen since start, and which stream (session) currently speaks for
// each. Implements ClusterView for the admin API: a node stays listed after it
// disconnects (connected: false), like Kong's clustering_data_planes. Health
// reports are filed here too, only from the stream that currently speaks for
// the node.
import type { NodeInfo, Telemetry } from '@portico/proto';
import { HealthReports } from './health-reports.js';
import type { ClusterView, DataPlaneStatus, NodeHealth } from './types.js';

/** What the registry keeps per node; `connected` and `health` are derived. */
export type NodeRecord = Omit<DataPlaneStatus, 'connected' | 'health'>;

/** The part of a session the registry needs. */
export interface RegisteredSession {
  readonly nodeId: string;
  /** Ends the stream because a newer one took over the node id. */
  replaced(): void;
}

export class NodeRegistry implements ClusterView {
  private readonly records = new Map<string, NodeRecord>();
  private readonly sessions = new Map<string, RegisteredSession>();
  private readonly health = new HealthReports();

  /** Registers `session` as the voice of its node, ending any older stream for the same id. */
  attach(session: RegisteredSession, node: NodeInfo, ip: string): NodeRecord {
    const old = this.sessions.get(node.id);
    this.sessions.set(node.id, session);
    if (old && old !== session) old.replaced();
    // What the node reported on an older stream may be stale; it reports again within a second.
    this.health.forget(node.id);
    const prev = this.records.get(node.id);
    const record: NodeRecord = {
      id: node.id,
      hostname: node.hostname,
      ip,
      version: node.software_version,
      last_seen: nowSeconds(),
      // What the node has applied is unknown until it ACKs on this stream.
      config_hash: prev?.config_hash ?? '',
      sync_status: 'unknown',
      labels: { ...node.labels },
      config_version: prev?.config_version ?? 0,
      last_error: prev?.last_error ?? null,
      last_error_version: prev?.last_error_version ?? null,
    };
    this.records.set(node.id, record);
    return record;
  }

  /** The stream ended; the node stays listed as disconnected unless a newer stream owns it. */
  detach(session: RegisteredSession): void {
    if (this.sessions.get(session.nodeId) === session) this.sessions.delete(session.nodeId);
  }

  isCurrent(session: RegisteredSession): boolean {
    return this.sessions.get(session.nodeId) === session;
  }

  /** Files a telemetry message; one from a replaced stream is dropped. */
  telemetry(session: RegisteredSession, t: Telemetry): void {
    if (this.isCurrent(session)) this.health.record(session.nodeId, t, nowSeconds());
  }

  allSessions(): RegisteredSession[] {
    return [...this.sessions.values()];
  }

  dataPlanes(): DataPlaneStatus[] {
    return [...this.records.values()].map((r) => ({ ...r, labels: { ...r.labels }, connected: this.sessions.has(r.id), health: this.health.summary(r.id) }));
  }

  nodeHealth(): NodeHealth[] {
    const out: NodeHealth[] = [];
    for (const id of this.records.keys()) {
      const v = this.health.view(id);
      if (v) out.push({ node_id: id, connected: this.sessions.has(id), ...v });
    }
    return out;
  }

  connectedCount(): number {
    return this.sessions.size;
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
