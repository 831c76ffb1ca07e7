// Kong's traditional router (Kong 3 `traditional_compat` priorities) over
// prepared indexes. Every (route, path) entry has a rank from Kong's priority
// order (rank-order.ts); a request's answer is the lowest-ranked entry that
// fully matches. Instead of walking all entries in rank order, entries are
// filed so a request only looks at lists that can hold a match: by host
// (host-index.ts), then inside a host group by path in a prefix tree, so
// walking the tree along the path yields only candidates. Each list is sorted
// by rank, and every group and tree node knows its best rank, so a scan stops
// at its first full match or as soon as ranks pass the best match so far.
//
// A router is immutable. A config change builds the next one from the
// previous: updateTraditionalRouter merges the changed routes into the
// previous order and copies only the host groups and tree paths they touch.
import type { MatchInput, RouteMatch, Router } from '../compile/types.js';
import { buildHostIndex, prefixGroupsFor, suffixGroupsFor, updateHostIndex, type HostGroup, type HostIndex, type WildcardGroups } from './host-index.js';
import { normalizePath } from './normalize-path.js';
import { NO_RANK, childFor } from './prefix-tree.js';
import { inputsOf, rankAll, updateOrder, type RankedEntry } from './rank-order.js';
import { accepts, capturesOf } from './request-match.js';
import { comparePriority, prepareEntries, type PreparedEntry } from './route-entry.js';
import type { RouterRoute } from './router-route.js';
import { runToEnd, SLICE_ITEMS, type Steps } from '../slices.js';

/** Protocols served by the HTTP router; stream-only routes (tcp, tls, udp…) never match here. */
const HTTP_PROTOCOLS = ['http', 'https', 'grpc', 'grpcs', 'ws', 'wss'];

// Prepared entries are immutable, so a rebuild reuses them for route inputs it
// has seen (the compile step hands back the same RouterRoute object when the
// route did not change): regexes and prebuilt matches are not made again.
const preparedCache = new WeakMap<RouterRoute, PreparedEntry[]>();

function* entriesOf(routes: Iterable<RouterRoute>): Steps<PreparedEntry[]> {
  const out: PreparedEntry[] = [];
  let n = 0;
  for (const r of routes) {
    if (++n === SLICE_ITEMS) {
      n = 0;
      yield;
    }
    if (!HTTP_PROTOCOLS.some((p) => r.route.protocols.has(p))) continue;
    let entries = preparedCache.get(r);
    if (entries === undefined) {
      entries = prepareEntries(r);
      preparedCache.set(r, entries);
    }
    for (const e of entries) out.push(e);
  }
  return out;
}

export function createTraditionalRouter(routes: Iterable<RouterRoute>): TraditionalRouter {
  return runToEnd(buildTraditionalRouter(routes));
}

/** createTraditionalRouter, pausing between chunks of routes (slices.ts). */
export function* buildTraditionalRouter(routes: Iterable<RouterRoute>): Steps<TraditionalRouter> {
  const order = rankAll((yield* entriesOf(routes)).sort(comparePriority));
  return new TraditionalRouter(order, yield* buildHostIndex(order));
}

/** Routes that left and joined since a router was built (an edited route is both). */
export interface RouterChange {
  readonly removed: readonly RouterRoute[];
  readonly added: readonly RouterRoute[];
}

/**
 * The router `previous` would be with `change` applied, identical in
 * behaviour to a full build from the resulting routes; `previous` keeps
 * serving unchanged. Throws ROUTE_INVALID for an added route, as a full build does.
 */
export function updateTraditionalRouter(previous: TraditionalRouter, change: RouterChange): TraditionalRouter {
  return runToEnd(nextTraditionalRouter(previous, change));
}

/** updateTraditionalRouter, pausing between chunks of routes (slices.ts). */
export function* nextTraditionalRouter(previous: TraditionalRouter, change: RouterChange): Steps<TraditionalRouter> {
  const removed = yield* entriesOf(change.removed);
  const added = yield* entriesOf(change.added);
  if (removed.length === 0 && added.length === 0) return previous;
  // Each merged entry costs a binary search, an array splice and a tree path
  // copy; past ~15% of the router one sort is cheaper (measured at 10,000 routes).
  if (removed.length + added.length > 64 + previous.order.length / 8) {
    const routes = inputsOf(previous.order);
    for (const r of change.removed) routes.delete(r);
    for (const r of change.added) routes.add(r);
    return yield* buildTraditionalRouter(routes);
  }
  const { order, gone, joined } = updateOrder(previous.order, removed, added);
  return new TraditionalRouter(order, updateHostIndex(previous.index, gone, joined));
}

export class TraditionalRouter implements Router {
  // The index's parts, unpacked: one less hop on every match, and the best
  // rank of each kind of group, so a request skips the kinds that cannot win.
  private readonly exact: ReadonlyMap<string, HostGroup>;
  private readonly suffixBound: number;
  private readonly prefixBound: number;
  private readonly anyHostBound: number;
  private readonly suffix: WildcardGroups;
  private readonly prefix: WildcardGroups;
  private readonly anyHost: HostGroup;

  // Scratch of the match in progress. Safe: match is synchronous, never re-entered.
  private bestRank = NO_RANK;
  private best: RankedEntry | null = null;
  private bestText: string | null = null;
  private bestCaptures: RegExpExecArray | null = null;
  /** The groups a request looks in after its exact host's, filled per match. */
  private readonly found: HostGroup[] = [];

  /** @internal what the next update starts from */
  constructor(
    readonly order: readonly RankedEntry[],
    readonly index: HostIndex,
  ) {
    this.exact = index.exact;
    this.suffixBound = index.suffix.bound;
    this.prefixBound = index.prefix.bound;
    this.anyHostBound = index.anyHost.bound;
    this.suffix = index.suffix;
    this.prefix = index.prefix;
    this.anyHost = index.anyHost;
  }

  match(input: MatchInput): RouteMatch | null {
    const path = input.normalized === true ? input.path : normalizePath(input.path);
    this.bestRank = NO_RANK;
    this.best = null;
    this.bestText = null;
    this.bestCaptures = null;
    const g = this.exact.get(input.host);
    if (g !== undefined) this.scanGroup(g, input, path);
    // The exact group's match may already beat every other group, and save the
    // wildcard lookups. Which order the rest are scanned in does not matter:
    // a scan only ever replaces the best match with a lower-ranked one.
    const found = this.found;
    let n = 0;
    if (this.suffixBound < this.bestRank) n = suffixGroupsFor(this.suffix, input.host, found, n);
    if (this.prefixBound < this.bestRank) n = prefixGroupsFor(this.prefix, input.host, found, n);
    if (this.anyHostBound < this.bestRank) found[n++] = this.anyHost;
    for (let i = 0; i < n; i++) this.scanGroup(found[i]!, input, path);
    // (cast: TS cannot see that the scans above assign `best`)
    const best = this.best as RankedEntry | null;
    if (best === null) return null;
    this.best = null;
    if (best.match !== null) return best.match;
    const m = this.bestCaptures;
    return m === null ? { route: best.route, matchedPath: this.bestText } : { route: best.route, matchedPath: this.bestText, uriCaptures: capturesOf(m) };
  }

  private scanGroup(g: HostGroup, input: MatchInput, path: string): void {
    if (g.bound >= this.bestRank) return;
    if (g.noPath.length > 0) this.scanList(g.noPath, input, path);
    if (path.length === 0) return; // Kong: an empty path matches no path rule
    let node = g.root;
    if (node.bound >= this.bestRank) return;
    if (node.values !== null) this.scanList(node.values, input, path);
    let pos = 0;
    while (pos < path.length) {
      const child = childFor(node, path.charCodeAt(pos));
      // Stop when nothing below can beat the best match so far. The label's
      // first character is known to match; longer labels are compared whole.
      if (child === undefined || child.bound >= this.bestRank) return;
      const length = child.labelLength;
      if (length > 1 && !path.startsWith(child.label, pos)) return;
      pos += length;
      node = child;
      if (node.values !== null) this.scanList(node.values, input, path);
    }
  }

  private scanList(list: readonly RankedEntry[], input: MatchInput, path: string): void {
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.rank >= this.bestRank) return;
      if (!accepts(e, input)) continue;
      if (e.regex !== null) {
        const m = e.regex.exec(path);
        if (m === null) continue;
        this.bestText = m[0];
        // Only a regex with groups has captures to hand to hash_on uri_capture.
        this.bestCaptures = m.length > 1 ? m : null;
      }
      this.bestRank = e.rank;
      this.best = e;
      return;
    }
  }
}
