// Which instance of each plugin applies to a route, resolved at compile time
// with Kong's precedence (kong/runloop/plugins_iterator.lua, lookup_cfg):
//
//   route+service+consumer > route+consumer > service+consumer >
//   route+service > consumer > route > service > global
//
// An instance with several scope fields applies only where all of them match.
// Disabled instances never reach this file (Kong does not load them), so a
// lower-precedence enabled one applies instead. The chosen instance is then
// kept only for the protocols it lists: if it excludes the request's protocol
// the plugin does not run, even if a lower-precedence instance would allow it
// (as in Kong, which checks protocols after picking the config).
import type { ChainEntry, PluginChain, RoutePlugins } from './chain.js';
import type { PluginHandlers, PluginInstance, RouteBinding } from './types.js';

export interface ScopedInstance {
  readonly pluginId: string;
  readonly name: string;
  readonly rank: number;
  readonly routeId: string | null;
  readonly serviceId: string | null;
  readonly consumerId: string | null;
  readonly protocols: ReadonlySet<string>;
  readonly instance: PluginInstance;
  /** Unique per created instance: a rebuilt instance changes every signature it is part of. */
  readonly serial: number;
}

/** Instances indexed by plugin name, then by scope key. Built once per compile. */
export interface PluginIndex {
  /** Plugin names present, in rank order. */
  readonly names: readonly string[];
  readonly byName: ReadonlyMap<string, ReadonlyMap<string, ScopedInstance>>;
  /** Consumers that have at least one consumer-scoped instance. */
  readonly consumerScoped: readonly ScopedInstance[];
}

const key = (r: string | null, s: string | null, c: string | null): string => `${r ?? ''}|${s ?? ''}|${c ?? ''}`;

export function indexPlugins(instances: readonly ScopedInstance[]): PluginIndex {
  const byName = new Map<string, Map<string, ScopedInstance>>();
  const ranks = new Map<string, number>();
  for (const p of instances) {
    let scoped = byName.get(p.name);
    if (scoped === undefined) byName.set(p.name, (scoped = new Map()));
    scoped.set(key(p.routeId, p.serviceId, p.consumerId), p);
    ranks.set(p.name, p.rank);
  }
  const names = [...byName.keys()].sort((a, b) => ranks.get(a)! - ranks.get(b)!);
  return { names, byName, consumerScoped: instances.filter((p) => p.consumerId !== null) };
}

/** The instance of one plugin that applies to (route, service, consumer), by Kong's precedence. */
export function lookup(scoped: ReadonlyMap<string, ScopedInstance>, r: string, s: string | null, c: string | null): ScopedInstance | undefined {
  let found: ScopedInstance | undefined;
  if (c !== null) {
    if (s !== null && (found = scoped.get(key(r, s, c)))) return found;
    if ((found = scoped.get(key(r, null, c)))) return found;
    if (s !== null && (found = scoped.get(key(null, s, c)))) return found;
  }
  if (s !== null && (found = scoped.get(key(r, s, null)))) return found;
  if (c !== null && (found = scoped.get(key(null, null, c)))) return found;
  if ((found = scoped.get(key(r, null, null)))) return found;
  if (s !== null && (found = scoped.get(key(null, s, null)))) return found;
  return scoped.get(key(null, null, null));
}

const PROTOCOLS = ['http', 'https'] as const;

/**
 * The plugins of one route, or null when none applies (the proxy's fast path).
 * `previous` is reused when the resolution is identical, so an unchanged route
 * keeps its compiled object (and the router its prepared entry).
 */
export function resolveRoute(index: PluginIndex, binding: RouteBinding, serviceId: string | null, previous: RoutePlugins | null): RoutePlugins | null {
  if (index.names.length === 0) return null;
  const routeId = binding.routeId;
  const resolveFor = (consumerId: string | null): ScopedInstance[] => {
    const out: ScopedInstance[] = [];
    for (const name of index.names) {
      const p = lookup(index.byName.get(name)!, routeId, serviceId, consumerId);
      if (p !== undefined) out.push(p);
    }
    return out;
  };
  const base = resolveFor(null);
  // Consumers whose scoped instances could apply to this route.
  const consumers = new Set<string>();
  for (const p of index.consumerScoped) {
    if ((p.routeId === null || p.routeId === routeId) && (p.serviceId === null || p.serviceId === serviceId)) consumers.add(p.consumerId!);
  }
  const overlays = new Map<string, ScopedInstance[]>();
  for (const c of [...consumers].sort()) {
    const chain = resolveFor(c);
    if (!sameInstances(chain, base)) overlays.set(c, chain);
  }
  if (base.length === 0 && overlays.size === 0) return null;

  const signature = [binding.routeDigest, serials(base), ...[...overlays].map(([c, ch]) => `${c}=${serials(ch)}`)].join(';');
  if (previous !== null && previous.signature === signature) return previous;

  // Bound handlers are shared by the base chain and every overlay of this
  // route, so per-request plugin state and later phases see one object.
  const bound = new Map<ScopedInstance, PluginHandlers>();
  const handlersOf = (p: ScopedInstance): PluginHandlers => {
    let h = bound.get(p);
    if (h === undefined) bound.set(p, (h = p.instance.bindRoute?.(binding) ?? p.instance.handlers));
    return h;
  };
  const entriesFor = (list: readonly ScopedInstance[], protocol: string): readonly ChainEntry[] =>
    Object.freeze(
      list.filter((p) => p.protocols.has(protocol)).map((p): ChainEntry => Object.freeze({ name: p.name, rank: p.rank, pluginId: p.pluginId, handlers: handlersOf(p) })),
    );
  const chainFor = (protocol: string): PluginChain | null => {
    const entries = entriesFor(base, protocol);
    let byConsumer: Map<string, readonly ChainEntry[]> | null = null;
    for (const [c, list] of overlays) {
      const overlay = entriesFor(list, protocol);
      if (overlay.length === entries.length && overlay.every((e, i) => e.pluginId === entries[i]!.pluginId)) continue;
      (byConsumer ??= new Map()).set(c, overlay);
    }
    if (entries.length === 0 && byConsumer === null) return null;
    return Object.freeze({ entries, byConsumer });
  };
  const [http, https] = PROTOCOLS.map(chainFor) as [PluginChain | null, PluginChain | null];
  if (http === null && https === null) return null;
  return Object.freeze({ http, https, signature });
}

const serials = (list: readonly ScopedInstance[]): string => list.map((p) => p.serial).join(',');

function sameInstances(a: readonly ScopedInstance[], b: readonly ScopedInstance[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
