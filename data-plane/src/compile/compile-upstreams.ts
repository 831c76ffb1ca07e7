// Upstreams and targets → CompiledUpstream with its balancer. A balancer is
// runtime state (round-robin position, ring, in-flight counts, latency EWMA,
// DNS answers): an upstream whose body and targets are unchanged keeps its
// compiled object whole; a changed one gets a new balancer built from the one
// it replaces, so the state of addresses that are still there carries over
// (balancer/upstream-balancer.ts). Every one of Kong's algorithms is served.
import { isIP } from 'node:net';
import type { Target, Upstream } from '@portico/shared';
import { balancerFactory } from '../balancer/factory.js';
import { createUpstreamBalancer } from '../balancer/upstream-balancer.js';
import type { DnsRegistry } from '../dns/dns-registry.js';
import type { HealthView } from '../health/types.js';
import { invalid } from './invalid.js';
import type { CompiledTarget, CompiledUpstream } from './types.js';

export interface PreviousUpstream {
  readonly fingerprint: string;
  readonly compiled: CompiledUpstream;
}

/** What a balancer needs from the running data plane; defaults: health checks off, the process's DNS registry. */
export interface UpstreamRuntime {
  readonly health?: HealthView;
  readonly dns?: DnsRegistry;
}

/** `host:port`, `[v6]:port`; Kong stores targets with a port always. */
export function parseTargetAddress(target: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(target);
  if (m === null) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!, port };
}

export function compileUpstream(
  u: Upstream,
  body: string,
  targets: readonly { readonly entity: Target; readonly body: string }[],
  previous: PreviousUpstream | undefined,
  runtime: UpstreamRuntime = {},
): PreviousUpstream {
  const sorted = [...targets].sort((a, b) => (a.entity.id < b.entity.id ? -1 : a.entity.id > b.entity.id ? 1 : 0));
  const fingerprint = [body, ...sorted.map((t) => t.body)].join('\n');
  if (previous !== undefined && previous.fingerprint === fingerprint) return previous;
  const factory = balancerFactory(u);
  if (factory === null) invalid(`upstream '${u.id}': algorithm: '${u.algorithm}' is not one of Kong's algorithms`);
  const compiledTargets = sorted.map(({ entity: t }, index): CompiledTarget => {
    const addr = parseTargetAddress(t.target);
    if (addr === null) return invalid(`target '${t.id}': target: '${t.target}' is not host:port`);
    const bare = addr.host.startsWith('[') ? addr.host.slice(1, -1) : addr.host;
    return Object.freeze({ id: t.id, index, host: addr.host, port: addr.port, weight: t.weight, target: t.target, isName: isIP(bare) === 0 });
  });
  Object.freeze(compiledTargets);
  // Only a balancer of the same upstream (by name: health and state are keyed by it) hands its state on.
  const old = previous !== undefined && previous.compiled.name === u.name ? previous.compiled.balancer : undefined;
  const balancer = createUpstreamBalancer({
    upstream: u.name,
    factory: factory!,
    targets: compiledTargets,
    ...(runtime.health !== undefined && { health: runtime.health }),
    ...(runtime.dns !== undefined && { dns: runtime.dns }),
    ...(old !== undefined && { previous: old }),
  });
  const compiled: CompiledUpstream = Object.freeze({
    id: u.id,
    name: u.name,
    hostHeader: u.host_header,
    targets: compiledTargets,
    balancer,
    algorithm: u.algorithm as CompiledUpstream['algorithm'],
    addressTable: balancer,
  });
  return { fingerprint, compiled };
}
