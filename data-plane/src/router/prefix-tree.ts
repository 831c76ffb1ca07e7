// A compressed (radix) trie of path prefixes holding ranked values. Walking it
// along a request path visits every stored prefix the path starts with,
// shortest first, in one pass over the path's characters: no substring, no
// allocation. Each node keeps its values sorted by rank and the best (lowest)
// rank in its subtree, so a walk can stop where nothing below can win.
//
// Nodes are immutable once a router serves them (the previous router keeps
// serving while the next one is built): a full build fills fresh nodes in
// place, and an update copies only the nodes on the changed key's path.

/** Above every real rank: an empty subtree's bound. A small integer, so V8 stores bounds and ranks inline. */
export const NO_RANK = 2 ** 30 - 1;

export interface Ranked {
  readonly rank: number;
}

export class PrefixNode<T extends Ranked> {
  // Fields in the order a walk reads them.
  /** The best rank anywhere in this subtree. */
  bound = NO_RANK;
  /** Kept beside the label so a one-character edge is crossed without loading the string. */
  labelLength: number;
  /** Edge label from the parent; the root's is ''. Change it only with setLabel. */
  label: string;
  /** Values stored under exactly this prefix, by rank. */
  values: T[] | null = null;
  /** First character of each child's label, in `kids` order: a scan of one short string finds the child. */
  codes = '';
  kids: PrefixNode<T>[] | null = null;

  constructor(label: string) {
    this.labelLength = label.length;
    this.label = label;
  }

  setLabel(label: string): void {
    this.labelLength = label.length;
    this.label = label;
  }
}

/** The child whose label starts with `code`, if any. */
export function childFor<T extends Ranked>(node: PrefixNode<T>, code: number): PrefixNode<T> | undefined {
  const codes = node.codes;
  for (let i = 0; i < codes.length; i++) if (codes.charCodeAt(i) === code) return node.kids![i];
  return undefined;
}

/** Full build: insert into nodes nobody serves yet. Values must arrive in rank order. */
export function insertFresh<T extends Ranked>(root: PrefixNode<T>, key: string, value: T): void {
  let node = root;
  let pos = 0;
  for (;;) {
    if (pos === key.length) {
      (node.values ??= []).push(value);
      return;
    }
    const i = indexOfCode(node.codes, key.charCodeAt(pos));
    if (i < 0) {
      addKid(node, leaf(key.slice(pos), value));
      return;
    }
    const child = node.kids![i]!;
    const common = commonLength(child.label, key, pos);
    if (common < child.label.length) node.kids![i] = split(child, common);
    node = node.kids![i]!;
    pos += common;
  }
}

/** Full build, once all values are in: sets every bound. */
export function sealFresh<T extends Ranked>(node: PrefixNode<T>): number {
  let bound = node.values !== null ? node.values[0]!.rank : NO_RANK;
  if (node.kids !== null) for (const k of node.kids) bound = Math.min(bound, sealFresh(k));
  node.bound = bound;
  return bound;
}

/** A new root with `value` added under `key`; `root` and its nodes are left untouched. */
export function withValue<T extends Ranked>(root: PrefixNode<T>, key: string, value: T): PrefixNode<T> {
  return insertAt(root, key, 0, value);
}

/** A new root without `value` (by identity) under `key`; throws if it is not there. */
export function withoutValue<T extends Ranked>(root: PrefixNode<T>, key: string, value: T): PrefixNode<T> {
  return removeAt(root, key, 0, value, true) ?? new PrefixNode<T>('');
}

function insertAt<T extends Ranked>(node: PrefixNode<T>, key: string, pos: number, value: T): PrefixNode<T> {
  const copy = clone(node);
  copy.bound = Math.min(node.bound, value.rank);
  if (pos === key.length) {
    copy.values = insertByRank(node.values ?? [], value);
    return copy;
  }
  const i = indexOfCode(node.codes, key.charCodeAt(pos));
  if (i < 0) {
    copy.kids = node.kids === null ? [] : node.kids.slice();
    addKid(copy, leaf(key.slice(pos), value));
    return copy;
  }
  let child = node.kids![i]!;
  const common = commonLength(child.label, key, pos);
  // The split makes fresh nodes around a copy of the child, so the served child is untouched.
  if (common < child.label.length) child = split(clone(child), common);
  copy.kids = node.kids!.slice();
  copy.kids[i] = insertAt(child, key, pos + common, value);
  return copy;
}

/** The node without `value`, or null when nothing is left in it. */
function removeAt<T extends Ranked>(node: PrefixNode<T>, key: string, pos: number, value: T, isRoot: boolean): PrefixNode<T> | null {
  const copy = clone(node);
  if (pos === key.length) {
    const at = node.values === null ? -1 : node.values.indexOf(value);
    if (at < 0) throw new Error(`prefix tree: no such value under '${key}'`);
    copy.values = node.values!.length === 1 ? null : node.values!.filter((_, j) => j !== at);
  } else {
    const i = indexOfCode(node.codes, key.charCodeAt(pos));
    const child = i < 0 ? undefined : node.kids![i]!;
    if (child === undefined || !key.startsWith(child.label, pos)) throw new Error(`prefix tree: no such key '${key}'`);
    const next = removeAt(child, key, pos + child.label.length, value, false);
    copy.kids = node.kids!.slice();
    if (next !== null) copy.kids[i] = next;
    else {
      copy.kids.splice(i, 1);
      copy.codes = copy.codes.slice(0, i) + copy.codes.slice(i + 1);
      if (copy.kids.length === 0) copy.kids = null;
    }
  }
  if (!isRoot && copy.values === null) {
    // Keep the trie compressed: an empty leaf goes, an empty pass-through node merges into its only child.
    if (copy.kids === null) return null;
    if (copy.kids.length === 1) {
      const merged = clone(copy.kids[0]!);
      merged.setLabel(copy.label + merged.label);
      return merged;
    }
  }
  copy.bound = boundOf(copy);
  return copy;
}

function boundOf<T extends Ranked>(node: PrefixNode<T>): number {
  let bound = node.values !== null ? node.values[0]!.rank : NO_RANK;
  if (node.kids !== null) for (const k of node.kids) if (k.bound < bound) bound = k.bound;
  return bound;
}

/** A copy sharing the arrays: callers replace, never mutate, what they change. */
function clone<T extends Ranked>(node: PrefixNode<T>): PrefixNode<T> {
  const c = new PrefixNode<T>(node.label);
  c.codes = node.codes;
  c.kids = node.kids;
  c.values = node.values;
  c.bound = node.bound;
  return c;
}

function leaf<T extends Ranked>(label: string, value: T): PrefixNode<T> {
  const n = new PrefixNode<T>(label);
  n.values = [value];
  n.bound = value.rank;
  return n;
}

/** Splits `child`'s edge after `common` characters: a new node holding the shared part, with `child` (relabelled) below. */
function split<T extends Ranked>(child: PrefixNode<T>, common: number): PrefixNode<T> {
  const mid = new PrefixNode<T>(child.label.slice(0, common));
  child.setLabel(child.label.slice(common));
  mid.codes = child.label[0]!;
  mid.kids = [child];
  mid.bound = child.bound;
  return mid;
}

function addKid<T extends Ranked>(node: PrefixNode<T>, kid: PrefixNode<T>): void {
  (node.kids ??= []).push(kid);
  node.codes += kid.label[0]!;
}

export function insertByRank<T extends Ranked>(list: readonly T[], value: T): T[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.rank < value.rank) lo = mid + 1;
    else hi = mid;
  }
  const out = list.slice();
  out.splice(lo, 0, value);
  return out;
}

function indexOfCode(codes: string, code: number): number {
  for (let i = 0; i < codes.length; i++) if (codes.charCodeAt(i) === code) return i;
  return -1;
}

function commonLength(label: string, key: string, pos: number): number {
  const max = Math.min(label.length, key.length - pos);
  let i = 0;
  while (i < max && label.charCodeAt(i) === key.charCodeAt(pos + i)) i++;
  return i;
}
