// One cluster-wide answer from many nodes' health views, in Kong's shapes
// (kong/db/dao/targets.lua page_for_upstream_with_health, get_balancer_health).
// The rule is "worst wins": a target is HEALTHY only when every connected node
// that reports it sees it healthy, because any node that would skip it is a
// node where some traffic cannot reach it. Targets no node has reported yet
// show HEALTHCHECKS_OFF — Kong's word for "no verdict" — with empty `nodes`.
import type { Healthchecks } from '@portico/shared';
import type { AddressHealth, HealthState, NodeHealth, TargetHealth } from './types.js';

/** Kong's is_upstream_using_healthcheck: any active interval or passive threshold set. */
export function usesHealthchecks(h: Healthchecks): boolean {
  return (
    h.active.healthy.interval !== 0 ||
    h.active.unhealthy.interval !== 0 ||
    h.passive.unhealthy.tcp_failures !== 0 ||
    h.passive.unhealthy.timeouts !== 0 ||
    h.passive.unhealthy.http_failures !== 0
  );
}

/** A target as configured: the stored entity (rendered as the admin API shows it). */
export type ConfiguredTarget = Record<string, unknown> & { id: string; target: string; weight: number };

export interface TargetHealthRow extends Record<string, unknown> {
  health: HealthState;
  data: {
    host: string;
    port: number;
    nodeWeight: number;
    weight: { total: number; available: number; unavailable: number };
    addresses: AddressHealth[];
  };
  /** Portico: each reporting node's verdict on this target. */
  nodes: Record<string, HealthState>;
}

// Worse first; the merged state is the worst any node reports.
const RANK: Readonly<Record<HealthState, number>> = { UNHEALTHY: 0, DNS_ERROR: 1, HEALTHCHECKS_OFF: 2, HEALTHY: 3 };
const worse = (a: HealthState, b: HealthState): HealthState => (RANK[a] <= RANK[b] ? a : b);

/** Kong's rows for `targets` of upstream `upstreamId`, merged over the connected nodes' views. */
export function mergeTargets(upstreamId: string, checksOn: boolean, targets: readonly ConfiguredTarget[], nodes: readonly NodeHealth[]): TargetHealthRow[] {
  const views = nodes.filter((n) => n.connected).flatMap((n) => {
    const u = n.upstreams.find((x) => x.upstream_id === upstreamId);
    return u ? [{ node: n.node_id, targets: u.targets }] : [];
  });
  return targets.map((cfg) => {
    const verdicts: Record<string, HealthState> = {};
    const addresses = new Map<string, AddressHealth>();
    let merged: HealthState | null = null;
    for (const v of views) {
      const t = v.targets.find((x) => x.target_id === cfg.id) ?? v.targets.find((x) => x.target === cfg.target);
      if (!t) continue; // this node does not serve the target yet (older config)
      verdicts[v.node] = t.health;
      merged = merged === null ? t.health : worse(merged, t.health);
      mergeAddresses(addresses, t);
    }
    const off = !checksOn || merged === null;
    const addrs = [...addresses.values()].map((a) => (checksOn ? a : { ...a, health: 'HEALTHCHECKS_OFF' as const }));
    const total = addrs.reduce((n, a) => n + a.weight, 0);
    const available = addrs.filter((a) => a.health === 'HEALTHY' || a.health === 'HEALTHCHECKS_OFF').reduce((n, a) => n + a.weight, 0);
    const { host, port } = splitTarget(cfg.target);
    return {
      ...cfg,
      health: off ? 'HEALTHCHECKS_OFF' : (merged as HealthState),
      data: { host, port, nodeWeight: cfg.weight, weight: { total, available, unavailable: total - available }, addresses: addrs },
      nodes: verdicts,
    };
  });
}

function mergeAddresses(into: Map<string, AddressHealth>, t: TargetHealth): void {
  for (const a of t.addresses) {
    const key = `${a.ip}:${a.port}`;
    const seen = into.get(key);
    into.set(key, seen ? { ...seen, health: worse(seen.health, a.health) } : { ...a });
  }
}

export interface BalancerHealth {
  id: string;
  health: 'HEALTHY' | 'UNHEALTHY' | 'HEALTHCHECKS_OFF';
  details?: { healthy: boolean; weight: { total: number; available: number; unavailable: number } };
}

/**
 * Kong's `?balancer_health=1` answer: the upstream is healthy while the weight
 * still available is at least `threshold` percent of the total.
 */
export function balancerHealth(upstreamId: string, checksOn: boolean, threshold: number, rows: readonly TargetHealthRow[]): BalancerHealth {
  // No node has reported yet: no verdict, rather than a 0-of-0 "unhealthy".
  if (!checksOn || rows.every((r) => Object.keys(r.nodes).length === 0)) return { id: upstreamId, health: 'HEALTHCHECKS_OFF' };
  let total = 0;
  let available = 0;
  for (const r of rows) {
    total += r.data.weight.total;
    available += r.data.weight.available;
  }
  const healthy = total > 0 && (available * 100) / total >= threshold;
  return { id: upstreamId, health: healthy ? 'HEALTHY' : 'UNHEALTHY', details: { healthy, weight: { total, available, unavailable: total - available } } };
}

/** "host:port" or "[v6]:port" → its parts (targets are always stored with a port). */
function splitTarget(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  if (i <= 0) return { host: target, port: 0 };
  return { host: target.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(target.slice(i + 1)) };
}
