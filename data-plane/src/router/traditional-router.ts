// Kong's traditional router (Kong 3 `traditional_compat` priorities) over
// prepared indexes. Every (route, path) entry gets a global rank from Kong's
// priority order; a request's answer is the lowest-ranked entry that fully
// matches. Instead of walking all entries in rank order, entries are filed so
// a request only looks at lists that can hold a match:
//   host group  — exact host → group; one group of wildcard-host entries; one
//                 group of entries without hosts;
//   path tree   — inside a group, prefix entries under their prefix and regex
//                 entries under their regex's literal prefix, so walking the
//                 tree along the path yields only candidates; entries without
//                 paths sit in a separate list.
// Each list is sorted by rank, so a scan stops at its first full match or as
// soon as ranks pass the best match found so far.
import type { IncomingHttpHeaders } from 'node:http';
import type { MatchInput, RouteMatch, Router } from '../compile/types.js';
import { normalizePath } from './normalize-path.js';
import { PrefixTree, type PrefixNode } from './prefix-tree.js';
import {
  HOST_EXACT,
  HOST_PREFIX,
  HOST_SUFFIX,
  PATH_NONE,
  comparePriority,
  prepareEntries,
  type HeaderRule,
  type HostSpec,
  type PreparedEntry,
} from './route-entry.js';
import type { RouterRoute } from './router-route.js';

/** A prepared entry plus its rank in one router build (ranks change between builds, entries don't). */
interface RankedEntry extends PreparedEntry {
  readonly rank: number;
}

interface HostGroup {
  readonly noPath: RankedEntry[];
  readonly tree: PrefixTree<RankedEntry>;
}

/** Protocols served by the HTTP router; stream-only routes (tcp, tls, udp…) never match here. */
const HTTP_PROTOCOLS = ['http', 'https', 'grpc', 'grpcs', 'ws', 'wss'];

// Prepared entries are immutable, so a rebuild reuses them for route inputs it
// has seen (the compile step hands back the same RouterRoute object when the
// route did not change): regexes and prebuilt matches are not made again.
const preparedCache = new WeakMap<RouterRoute, PreparedEntry[]>();

export function createTraditionalRouter(routes: Iterable<RouterRoute>): Router {
  const prepared: PreparedEntry[] = [];
  for (const r of routes) {
    if (!HTTP_PROTOCOLS.some((p) => r.route.protocols.has(p))) continue;
    let entries = preparedCache.get(r);
    if (entries === undefined) {
      entries = prepareEntries(r);
      preparedCache.set(r, entries);
    }
    for (const e of entries) prepared.push(e);
  }
  prepared.sort(comparePriority);
  return new TraditionalRouter(prepared.map((e, rank): RankedEntry => ({ ...e, rank })));
}

class TraditionalRouter implements Router {
  private readonly exact = new Map<string, HostGroup>();
  private readonly wildcard: HostGroup = newGroup();
  private readonly anyHost: HostGroup = newGroup();
  private readonly hasWildcard: boolean;
  private readonly hasAnyHost: boolean;

  // Scratch of the match in progress. Safe: match is synchronous, never re-entered.
  private bestRank = Infinity;
  private best: RankedEntry | null = null;
  private bestText: string | null = null;
  private bestCaptures: RegExpExecArray | null = null;

  constructor(ranked: readonly RankedEntry[]) {
    let wildcard = false;
    let anyHost = false;
    // Entries arrive in rank order, so every list is built already sorted.
    for (const e of ranked) {
      if (e.hosts === null) {
        file(this.anyHost, e);
        anyHost = true;
        continue;
      }
      const seen = new Set<string>();
      let filedWildcard = false;
      for (const h of e.hosts) {
        if (h.kind !== HOST_EXACT) {
          if (!filedWildcard) file(this.wildcard, e);
          filedWildcard = wildcard = true;
        } else if (!seen.has(h.value)) {
          seen.add(h.value);
          let g = this.exact.get(h.value);
          if (g === undefined) this.exact.set(h.value, (g = newGroup()));
          file(g, e);
        }
      }
    }
    this.hasWildcard = wildcard;
    this.hasAnyHost = anyHost;
    for (const g of [this.wildcard, this.anyHost, ...this.exact.values()]) {
      g.tree.seal();
      setBounds(g.tree.root);
    }
  }

  match(input: MatchInput): RouteMatch | null {
    const path = input.normalized === true ? input.path : normalizePath(input.path);
    this.bestRank = Infinity;
    this.best = null;
    this.bestText = null;
    this.bestCaptures = null;
    const g = this.exact.get(input.host);
    if (g !== undefined) this.scanGroup(g, input, path);
    if (this.hasWildcard) this.scanGroup(this.wildcard, input, path);
    if (this.hasAnyHost) this.scanGroup(this.anyHost, input, path);
    // (cast: TS cannot see that the scans above assign `best`)
    const best = this.best as RankedEntry | null;
    if (best === null) return null;
    this.best = null;
    if (best.match !== null) return best.match;
    const m = this.bestCaptures;
    return m === null ? { route: best.route, matchedPath: this.bestText } : { route: best.route, matchedPath: this.bestText, uriCaptures: capturesOf(m) };
  }

  private scanGroup(g: HostGroup, input: MatchInput, path: string): void {
    if (g.noPath.length > 0) this.scanList(g.noPath, input, path);
    if (path.length === 0) return; // Kong: an empty path matches no path rule
    let node = g.tree.root;
    if (node.bound >= this.bestRank) return;
    if (node.values !== null) this.scanList(node.values, input, path);
    let pos = 0;
    while (pos < path.length && node.children !== null) {
      const code = path.charCodeAt(pos);
      const child = node.only !== null ? (node.onlyCode === code ? node.only : undefined) : node.children.get(code);
      // Stop when nothing below can beat the best match so far. The label's
      // first character is known to match; longer labels are compared whole.
      if (child === undefined || child.bound >= this.bestRank) return;
      if (child.label.length > 1 && !path.startsWith(child.label, pos)) return;
      pos += child.label.length;
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

/** Kong's uri_captures: numbered groups as "1", "2" … plus named groups. */
function capturesOf(m: RegExpExecArray): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (let i = 1; i < m.length; i++) out[String(i)] = m[i];
  if (m.groups) Object.assign(out, m.groups);
  return out;
}

/** Each node's bound: the best (lowest) rank stored in its subtree. */
function setBounds(node: PrefixNode<RankedEntry>): number {
  let bound = node.values !== null && node.values.length > 0 ? node.values[0]!.rank : Infinity;
  if (node.children !== null) for (const c of node.children.values()) bound = Math.min(bound, setBounds(c));
  node.bound = bound;
  return bound;
}

const newGroup = (): HostGroup => ({ noPath: [], tree: new PrefixTree<RankedEntry>() });

function file(g: HostGroup, e: RankedEntry): void {
  if (e.pathKind === PATH_NONE) g.noPath.push(e);
  else g.tree.insert(e.pathKey, e);
}

/** Everything but the path, which the tree (prefix) or the caller (regex) checks. */
function accepts(e: PreparedEntry, input: MatchInput): boolean {
  if (e.methods !== null && !e.methods.has(input.method)) return false;
  if (e.hosts !== null && !hostMatches(e.hosts, input.host, input.port)) return false;
  // Kong: SNIs only constrain TLS requests (`net.protocol != "https" || tls.sni == …`).
  if (e.snis !== null && input.sni !== undefined && !e.snis.has(input.sni)) return false;
  if (e.headers !== null && !headersMatch(e.headers, input.headers)) return false;
  return true;
}

function hostMatches(hosts: readonly HostSpec[], host: string, port: number | undefined): boolean {
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i]!;
    if (h.port !== -1 && h.port !== port) continue;
    if (h.kind === HOST_EXACT) {
      if (host === h.value) return true;
    } else if (h.kind === HOST_SUFFIX) {
      if (host.length > h.value.length && host.endsWith(h.value)) return true;
    } else if (h.kind === HOST_PREFIX) {
      if (host.length > h.value.length && host.startsWith(h.value)) return true;
    }
  }
  return false;
}

function headersMatch(rules: readonly HeaderRule[], headers: IncomingHttpHeaders): boolean {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const v = headers[rule.name];
    if (v === undefined) return false;
    if (typeof v === 'string') {
      if (!headerValueMatches(rule, v)) return false;
    } else if (!v.some((x) => headerValueMatches(rule, x))) {
      return false;
    }
  }
  return true;
}

function headerValueMatches(rule: HeaderRule, value: string): boolean {
  if (valueMatches(rule, value)) return true;
  // Node joins repeated headers with ", "; Kong sees each line separately and
  // accepts the header when any of them matches.
  if (value.includes(',')) {
    for (const part of value.split(',')) if (valueMatches(rule, part.trim())) return true;
  }
  return false;
}

function valueMatches(rule: HeaderRule, value: string): boolean {
  if (rule.values.size > 0 && rule.values.has(value.toLowerCase())) return true;
  for (let i = 0; i < rule.regexes.length; i++) if (rule.regexes[i]!.test(value)) return true;
  return false;
}

