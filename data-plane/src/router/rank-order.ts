// Every entry of a router has a rank that follows Kong's priority order
// (comparePriority): a lower rank is tried first. Ranks only need to be
// comparable, not dense, so a full build spaces them out and an update places
// a new entry between its neighbours' ranks, found by binary search in the
// previous order — unchanged entries keep their rank and their RankedEntry
// object, shared with the previous router, which is never modified.
// When two neighbours have no free rank between them, a small window around
// the spot is re-spaced: its entries become new objects with new ranks.
import { NO_RANK } from './prefix-tree.js';
import { comparePriority, type PreparedEntry } from './route-entry.js';
import type { RouterRoute } from './router-route.js';

/** Below every real rank. Ranks stay inside (MIN_RANK, NO_RANK): V8 small integers. */
const MIN_RANK = -(2 ** 30);
/** How far past its neighbour a new entry goes when there is room: new routes mostly land last in their class (newest created_at), so consecutive adds walk up a gap in steps instead of halving it. */
const STEP = 1024;
/** The spacing a re-spaced window aims for. */
const WINDOW_SPACING = 4 * STEP;

/** A prepared entry with its rank, and copies of what a match reads, so the hot loop touches one object of one shape. */
export class RankedEntry {
  // Declared in the order a match reads them, so a scan's checks share the
  // object's first cache line.
  readonly rank: number;
  readonly methods: PreparedEntry['methods'];
  /** Null when the host group the entry was found in already proves a host matched: no host has a port. */
  readonly hosts: PreparedEntry['hosts'];
  readonly snis: PreparedEntry['snis'];
  readonly headers: PreparedEntry['headers'];
  readonly match: PreparedEntry['match'];
  readonly regex: RegExp | null;
  readonly route: PreparedEntry['route'];
  readonly prepared: PreparedEntry;

  constructor(prepared: PreparedEntry, rank: number) {
    this.rank = rank;
    this.methods = prepared.methods;
    this.hosts = prepared.hosts !== null && prepared.hosts.some((h) => h.port !== -1) ? prepared.hosts : null;
    this.snis = prepared.snis;
    this.headers = prepared.headers;
    this.match = prepared.match;
    this.regex = prepared.regex;
    this.route = prepared.route;
    this.prepared = prepared;
  }
}

/** Ranks for entries already sorted by comparePriority, evenly spread over the whole range. */
export function rankAll(sorted: readonly PreparedEntry[]): RankedEntry[] {
  const spacing = Math.max(1, Math.floor((NO_RANK - MIN_RANK) / (sorted.length + 1)));
  return sorted.map((p, i) => new RankedEntry(p, MIN_RANK + (i + 1) * spacing));
}

export interface OrderUpdate {
  /** The new order, by rank. */
  readonly order: RankedEntry[];
  /** Entries that left (removed routes, and the old objects of re-spaced entries). */
  readonly gone: RankedEntry[];
  /** Entries that joined (added routes, and the new objects of re-spaced entries). */
  readonly joined: RankedEntry[];
}

/**
 * The previous order without `removed`'s entries and with `added`'s, which
 * get ranks between their neighbours. `previous` is not modified.
 */
export function updateOrder(previous: readonly RankedEntry[], removed: readonly PreparedEntry[], added: readonly PreparedEntry[]): OrderUpdate {
  // Splicing out a few indices found by binary search beats filtering every entry.
  const leaving = [...new Set(removed.map((p) => indexOf(previous, p)))].sort((a, b) => b - a);
  const gone = leaving.map((i) => previous[i]!);
  let order = previous.slice();
  for (const i of leaving) order.splice(i, 1);
  const joined = new Set<RankedEntry>();
  for (const p of [...added].sort(comparePriority)) {
    const at = insertionPoint(order, p);
    const lo = at > 0 ? order[at - 1]!.rank : MIN_RANK;
    const hi = at < order.length ? order[at]!.rank : NO_RANK;
    const rank = rankBetween(lo, hi);
    if (rank !== null) {
      const e = new RankedEntry(p, rank);
      order.splice(at, 0, e);
      joined.add(e);
    } else {
      order = respace(order, at, p, gone, joined);
    }
  }
  return { order, gone, joined: [...joined] };
}

/** A rank strictly between lo and hi, or null when they are adjacent. */
function rankBetween(lo: number, hi: number): number | null {
  if (hi - lo < 2) return null;
  if (lo === MIN_RANK && hi === NO_RANK) return 0;
  if (lo === MIN_RANK) return hi - lo > STEP ? hi - STEP : lo + Math.floor((hi - lo) / 2); // in front of everything
  return hi - lo > 2 * STEP ? lo + STEP : lo + Math.floor((hi - lo) / 2);
}

/**
 * The order with `p` inserted at `at` by re-spacing the smallest window
 * around it (doubling its size) whose outer neighbours leave enough room; the
 * window's entries are replaced by new objects, so the previous router's stay
 * as they were.
 */
function respace(order: RankedEntry[], at: number, p: PreparedEntry, gone: RankedEntry[], joined: Set<RankedEntry>): RankedEntry[] {
  for (let half = 8; ; half *= 2) {
    const start = Math.max(0, at - half);
    const end = Math.min(order.length, at + half);
    const lo = start > 0 ? order[start - 1]!.rank : MIN_RANK;
    const hi = end < order.length ? order[end]!.rank : NO_RANK;
    const count = end - start + 1;
    const spacing = Math.floor((hi - lo) / (count + 1));
    const whole = start === 0 && end === order.length;
    if (spacing < WINDOW_SPACING && !whole) continue;
    if (spacing < 1) throw new Error(`router: no room for ${count} ranks`);
    const window = [...order.slice(start, at).map((e) => e.prepared), p, ...order.slice(at, end).map((e) => e.prepared)];
    const fresh = window.map((q, i) => new RankedEntry(q, lo + (i + 1) * spacing));
    for (const old of order.slice(start, end)) {
      // An entry added earlier in this update was never served: just drop it.
      if (!joined.delete(old)) gone.push(old);
    }
    for (const e of fresh) joined.add(e);
    return order.slice(0, start).concat(fresh, order.slice(end));
  }
}

/** Index of the entry for `p` (same route input and path) in `order`. */
function indexOf(order: readonly RankedEntry[], p: PreparedEntry): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePriority(order[mid]!.prepared, p) < 0) lo = mid + 1;
    else hi = mid;
  }
  // Priority keys are unique per (route id, path) in a snapshot; scan the
  // equal run anyway so duplicated ids given to the router stay correct.
  for (let i = lo; i < order.length && comparePriority(order[i]!.prepared, p) === 0; i++) {
    if (sameEntry(order[i]!.prepared, p)) return i;
  }
  throw new Error(`router: route '${p.route.id}' (path ${p.pathIndex}) is not in the router`);
}

const sameEntry = (a: PreparedEntry, b: PreparedEntry): boolean => a === b || (a.input === b.input && a.pathIndex === b.pathIndex);

/** Where `p` goes: after every entry that sorts before or equal to it. */
function insertionPoint(order: readonly RankedEntry[], p: PreparedEntry): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePriority(order[mid]!.prepared, p) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The distinct route inputs of an order (for a full rebuild from an update). */
export function inputsOf(order: readonly RankedEntry[]): Set<RouterRoute> {
  const out = new Set<RouterRoute>();
  for (const e of order) out.add(e.prepared.input);
  return out;
}
