// Entries filed by host, so a request only looks at groups its host can match:
//   exact    — `example.com` → group, found with one map lookup;
//   suffix   — `*.example.com` → group under `.example.com`, found by
//              comparing the request host's tail at each of its dots;
//   prefix   — `example.*` → group under `example.`, likewise with its head;
//   anyHost  — entries without hosts.
// A route with several hosts sits in each of their groups. Inside a group,
// entries without paths are one list and the rest sit in a prefix tree, both
// by rank. Groups are immutable: an update builds new groups for the hosts it
// touches and shares every other group with the previous router.
import { NO_RANK, PrefixNode, insertByRank, insertFresh, sealFresh, withValue, withoutValue } from './prefix-tree.js';
import type { RankedEntry } from './rank-order.js';
import { SLICE_ITEMS, type Steps } from '../slices.js';
import { HOST_EXACT, HOST_PREFIX, HOST_SUFFIX, PATH_NONE } from './route-entry.js';

export class HostGroup {
  /** The best rank in the group. */
  readonly bound: number;

  constructor(
    readonly noPath: readonly RankedEntry[],
    readonly root: PrefixNode<RankedEntry>,
  ) {
    const first = noPath.length > 0 ? noPath[0]!.rank : NO_RANK;
    this.bound = first < root.bound ? first : root.bound;
  }
}

const EMPTY_GROUP = new HostGroup([], new PrefixNode<RankedEntry>(''));

/**
 * Wildcard groups by their fixed part, bucketed by the part's length, so a
 * request only compares keys as long as the host's tail (or head) at one of
 * its dots: in place with endsWith/startsWith, or — for a crowded length —
 * by one map lookup.
 */
export class WildcardGroups {
  /** Every group, when there are so few that comparing each key beats finding the host's dots. */
  readonly few: readonly WildcardGroup[] | null;
  /** byLength[n]: the groups whose key is n characters long. */
  readonly byLength: readonly (LengthBucket | undefined)[];
  /** The shortest key's length: a host's dots outside [minLength, byLength.length) need no look. */
  readonly minLength: number;
  readonly bound: number;

  constructor(readonly groups: ReadonlyMap<string, HostGroup>) {
    const byLength: LengthBucket[] = [];
    let bound = NO_RANK;
    for (const [key, group] of groups) {
      const bucket = (byLength[key.length] ??= { list: [], map: null });
      bucket.list.push({ key, group });
      bound = Math.min(bound, group.bound);
    }
    for (const b of byLength) if (b !== undefined && b.list.length > CROWDED) b.map = new Map(b.list.map((w) => [w.key, w.group]));
    this.few = groups.size <= CROWDED ? [...groups].map(([key, group]) => ({ key, group })) : null;
    this.byLength = byLength;
    this.minLength = byLength.findIndex((b) => b !== undefined);
    this.bound = bound;
  }
}

/** Past this many keys (of one length), one hash lookup beats comparing each. */
const CROWDED = 4;

export interface LengthBucket {
  readonly list: WildcardGroup[];
  map: Map<string, HostGroup> | null;
}

export interface WildcardGroup {
  readonly key: string;
  readonly group: HostGroup;
}

/**
 * Appends to `out` from index `n` the `*.example.com` groups `host` matches —
 * the host's tail from each dot that has a character before it — and returns
 * the new count.
 */
export function suffixGroupsFor(w: WildcardGroups, host: string, out: HostGroup[], n: number): number {
  // (kept small so V8 inlines the common case, a handful of wildcards, into match)
  if (w.few === null) return suffixGroupsByLength(w, host, out, n);
  for (const { key, group } of w.few) if (host.length > key.length && host.endsWith(key)) out[n++] = group;
  return n;
}

function suffixGroupsByLength(w: WildcardGroups, host: string, out: HostGroup[], n: number): number {
  const { byLength, minLength } = w;
  const last = host.length - minLength;
  for (let i = host.indexOf('.', Math.max(1, host.length - byLength.length + 1)); i !== -1 && i <= last; i = host.indexOf('.', i + 1)) {
    const bucket = byLength[host.length - i];
    if (bucket === undefined) continue;
    if (bucket.map === null) {
      for (const { key, group } of bucket.list) if (host.endsWith(key)) out[n++] = group;
      continue;
    }
    const g = bucket.map.get(host.slice(i));
    if (g !== undefined) out[n++] = g;
  }
  return n;
}

/** Likewise for `example.*` groups: the host's head up to each dot that has a character after it. */
export function prefixGroupsFor(w: WildcardGroups, host: string, out: HostGroup[], n: number): number {
  if (w.few === null) return prefixGroupsByLength(w, host, out, n);
  for (const { key, group } of w.few) if (host.length > key.length && host.startsWith(key)) out[n++] = group;
  return n;
}

function prefixGroupsByLength(w: WildcardGroups, host: string, out: HostGroup[], n: number): number {
  const { byLength, minLength } = w;
  const last = Math.min(host.length, byLength.length) - 2;
  for (let i = host.indexOf('.', minLength - 1); i !== -1 && i <= last; i = host.indexOf('.', i + 1)) {
    const bucket = byLength[i + 1];
    if (bucket === undefined) continue;
    if (bucket.map === null) {
      for (const { key, group } of bucket.list) if (host.startsWith(key)) out[n++] = group;
      continue;
    }
    const g = bucket.map.get(host.slice(0, i + 1));
    if (g !== undefined) out[n++] = g;
  }
  return n;
}

export interface HostIndex {
  readonly exact: ReadonlyMap<string, HostGroup>;
  readonly suffix: WildcardGroups;
  readonly prefix: WildcardGroups;
  readonly anyHost: HostGroup;
}

const KINDS = 3; // HOST_EXACT, HOST_SUFFIX, HOST_PREFIX index the per-kind maps below

/** Calls `visit` once per group the entry belongs in (kind 3: no hosts). */
function forEachGroup(e: RankedEntry, visit: (kind: number, key: string) => void): void {
  const hosts = e.prepared.hosts;
  if (hosts === null) return visit(KINDS, '');
  outer: for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i]!;
    // `a.com` and `a.com:8080` share a group; the port is checked per entry.
    for (let j = 0; j < i; j++) if (hosts[j]!.kind === h.kind && hosts[j]!.value === h.value) continue outer;
    visit(h.kind, h.value);
  }
}

class GroupBuilder {
  readonly noPath: RankedEntry[] = [];
  readonly root = new PrefixNode<RankedEntry>('');
  add(e: RankedEntry): void {
    if (e.prepared.pathKind === PATH_NONE) this.noPath.push(e);
    else insertFresh(this.root, e.prepared.pathKey, e);
  }
  seal(): HostGroup {
    sealFresh(this.root);
    return new HostGroup(this.noPath, this.root);
  }
}

/** Full build from entries in rank order, pausing every SLICE_ITEMS entries (slices.ts). */
export function* buildHostIndex(order: readonly RankedEntry[]): Steps<HostIndex> {
  const byKind = Array.from({ length: KINDS }, () => new Map<string, GroupBuilder>());
  const anyHost = new GroupBuilder();
  const file = (e: RankedEntry) => (kind: number, key: string) => {
    if (kind === KINDS) return anyHost.add(e);
    const builders = byKind[kind]!;
    let b = builders.get(key);
    if (b === undefined) builders.set(key, (b = new GroupBuilder()));
    b.add(e);
  };
  let n = 0;
  for (const e of order) {
    if (++n === SLICE_ITEMS) {
      n = 0;
      yield;
    }
    forEachGroup(e, file(e));
  }
  const sealed = byKind.map((builders) => new Map([...builders].map(([key, b]) => [key, b.seal()] as const)));
  return { exact: sealed[HOST_EXACT]!, suffix: new WildcardGroups(sealed[HOST_SUFFIX]!), prefix: new WildcardGroups(sealed[HOST_PREFIX]!), anyHost: anyHost.seal() };
}

interface GroupChange {
  readonly gone: RankedEntry[];
  readonly joined: RankedEntry[];
}

/** The index with `gone` taken out and `joined` filed; `index` is not modified. */
export function updateHostIndex(index: HostIndex, gone: readonly RankedEntry[], joined: readonly RankedEntry[]): HostIndex {
  const byKind = Array.from({ length: KINDS + 1 }, () => new Map<string, GroupChange>());
  const note = (list: 'gone' | 'joined', e: RankedEntry) => (kind: number, key: string) => {
    let c = byKind[kind]!.get(key);
    if (c === undefined) byKind[kind]!.set(key, (c = { gone: [], joined: [] }));
    c[list].push(e);
  };
  for (const e of gone) forEachGroup(e, note('gone', e));
  for (const e of joined) forEachGroup(e, note('joined', e));
  const apply = (groups: ReadonlyMap<string, HostGroup>, changes: Map<string, GroupChange>): ReadonlyMap<string, HostGroup> => {
    if (changes.size === 0) return groups;
    const next = new Map(groups);
    for (const [key, c] of changes) {
      const g = applyChange(groups.get(key) ?? EMPTY_GROUP, c);
      if (g === EMPTY_GROUP) next.delete(key);
      else next.set(key, g);
    }
    return next;
  };
  const wildcard = (w: WildcardGroups, changes: Map<string, GroupChange>) => (changes.size === 0 ? w : new WildcardGroups(apply(w.groups, changes)));
  const anyHostChange = byKind[KINDS]!.get('');
  return {
    exact: apply(index.exact, byKind[HOST_EXACT]!),
    suffix: wildcard(index.suffix, byKind[HOST_SUFFIX]!),
    prefix: wildcard(index.prefix, byKind[HOST_PREFIX]!),
    anyHost: anyHostChange === undefined ? index.anyHost : applyChange(index.anyHost, anyHostChange),
  };
}

/** A new group with the change applied, or EMPTY_GROUP when nothing is left. */
function applyChange(g: HostGroup, c: GroupChange): HostGroup {
  let noPath = g.noPath;
  let root = g.root;
  for (const e of c.gone) {
    if (e.prepared.pathKind !== PATH_NONE) root = withoutValue(root, e.prepared.pathKey, e);
    else if (noPath.includes(e)) noPath = noPath.filter((x) => x !== e);
    else throw new Error(`router: route '${e.route.id}' is not in its host group`);
  }
  for (const e of c.joined) {
    if (e.prepared.pathKind !== PATH_NONE) root = withValue(root, e.prepared.pathKey, e);
    else noPath = insertByRank(noPath, e);
  }
  return noPath.length === 0 && root.values === null && root.kids === null ? EMPTY_GROUP : new HostGroup(noPath, root);
}
