// The latest health report of each node, as the admin API reads it. A report
// replaces the node's whole view; a heartbeat (no health section) only says
// the view still holds. The row summary is computed when a view arrives, so
// listing data planes costs nothing per request.
import type { HealthReport, Telemetry, WireHealthState, WireUpstreamHealth } from '@portico/proto';
import type { DataPlaneHealthSummary, HealthState, UpstreamHealth } from './types.js';

interface Entry {
  reported_at: number;
  changed_at: number;
  upstreams: UpstreamHealth[];
  summary: DataPlaneHealthSummary;
}

export class HealthReports {
  private readonly byNode = new Map<string, Entry>();

  /** Files one telemetry message; a heartbeat before any view is ignored (there is nothing it confirms). */
  record(nodeId: string, t: Telemetry, now: number): void {
    const prev = this.byNode.get(nodeId);
    if (t.health) {
      const upstreams = fromWire(t.health);
      this.byNode.set(nodeId, { reported_at: now, changed_at: now, upstreams, summary: summarize(upstreams, now) });
    } else if (prev) {
      prev.reported_at = now;
      prev.summary = { ...prev.summary, reported_at: now };
    }
  }

  /** A new stream for the node: its old view may be stale until it reports again. */
  forget(nodeId: string): void {
    this.byNode.delete(nodeId);
  }

  summary(nodeId: string): DataPlaneHealthSummary | null {
    const e = this.byNode.get(nodeId);
    return e ? { ...e.summary } : null;
  }

  view(nodeId: string): { reported_at: number; changed_at: number; upstreams: UpstreamHealth[] } | null {
    const e = this.byNode.get(nodeId);
    return e ? { reported_at: e.reported_at, changed_at: e.changed_at, upstreams: e.upstreams } : null;
  }
}

const STATES: ReadonlySet<string> = new Set<HealthState>(['HEALTHY', 'UNHEALTHY', 'DNS_ERROR', 'HEALTHCHECKS_OFF']);
const isState = (s: WireHealthState): s is HealthState => STATES.has(s);

/** Keeps what the admin API can show: a target or address without one of Kong's words is left out, not guessed. */
function fromWire(report: HealthReport): UpstreamHealth[] {
  return report.upstreams.map((u: WireUpstreamHealth) => ({
    upstream_id: u.upstream_id,
    upstream_name: u.upstream_name,
    targets: u.targets.flatMap((t) => {
      const health = t.health;
      if (!isState(health)) return [];
      const addresses = t.addresses.flatMap((a) => {
        const h = a.health;
        return isState(h) ? [{ ip: a.ip, port: a.port, health: h, weight: a.weight }] : [];
      });
      return [{ target_id: t.target_id, target: t.target, weight: t.weight, health, addresses }];
    }),
  }));
}

function summarize(upstreams: UpstreamHealth[], now: number): DataPlaneHealthSummary {
  let healthy = 0;
  let unhealthy = 0;
  for (const u of upstreams) {
    for (const t of u.targets) {
      if (t.health === 'HEALTHY') healthy++;
      else if (t.health === 'UNHEALTHY' || t.health === 'DNS_ERROR') unhealthy++;
    }
  }
  return { upstreams: upstreams.length, targets_healthy: healthy, targets_unhealthy: unhealthy, reported_at: now };
}
