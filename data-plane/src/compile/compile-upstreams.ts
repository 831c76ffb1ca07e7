// Upstreams and targets → CompiledUpstream with a balancer. A balancer is
// runtime state (its round-robin position now, health and connection counts
// later): it is kept from the previous config while the upstream's body and
// its targets are unchanged, and rebuilt otherwise.
import type { Target, Upstream } from '@portico/shared';
import { balancerFactory } from '../balancer/factory.js';
import { invalid } from './invalid.js';
import type { CompiledTarget, CompiledUpstream } from './types.js';

export interface PreviousUpstream {
  readonly fingerprint: string;
  readonly compiled: CompiledUpstream;
}

/** `host:port`, `[v6]:port`; Kong stores targets with a port always. */
export function parseTargetAddress(target: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(target);
  if (m === null) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!, port };
}

export function compileUpstream(u: Upstream, body: string, targets: readonly { readonly entity: Target; readonly body: string }[], previous: PreviousUpstream | undefined): PreviousUpstream {
  const sorted = [...targets].sort((a, b) => (a.entity.id < b.entity.id ? -1 : a.entity.id > b.entity.id ? 1 : 0));
  const fingerprint = [body, ...sorted.map((t) => t.body)].join('\n');
  if (previous !== undefined && previous.fingerprint === fingerprint) return previous;
  const factory = balancerFactory(u.algorithm);
  if (factory === null) invalid(`upstream '${u.id}': algorithm: '${u.algorithm}' is not implemented by this data plane yet (only 'round-robin')`);
  const compiledTargets = sorted.map(({ entity: t }, index): CompiledTarget => {
    const addr = parseTargetAddress(t.target);
    if (addr === null) return invalid(`target '${t.id}': target: '${t.target}' is not host:port`);
    return Object.freeze({ id: t.id, index, host: addr.host, port: addr.port, weight: t.weight });
  });
  Object.freeze(compiledTargets);
  const compiled: CompiledUpstream = Object.freeze({
    id: u.id,
    name: u.name,
    hostHeader: u.host_header,
    targets: compiledTargets,
    balancer: factory!(compiledTargets),
  });
  return { fingerprint, compiled };
}
