// What counts as a large change to a data plane's config: a whole config
// (start, the disk cache, a full push) or a delta naming many resources (a
// declarative load, not an edit). A large change to a serving config is
// taken in slices (slices.ts), and is followed by a collection that gives
// back what it grew (heap-release.ts). An edit gets neither, except that a
// plugin edit, which makes the compile visit every route, is sliced on a
// large table.
import type { DeltaHint } from '@portico/shared';

/** A delta naming at least this many resources is a large change. */
export const LARGE_DELTA = 1_000;

/** Whether a change is large: no delta (a whole config), or a delta of LARGE_DELTA resources or more. */
export function isLargeChange(delta: Pick<DeltaHint, 'updated' | 'removed'> | undefined): boolean {
  return delta === undefined || delta.updated.length + delta.removed.length >= LARGE_DELTA;
}

/**
 * Whether a change to a config serving `routes` routes is compiled in slices:
 * a large change, or a plugin edit on a table of LARGE_DELTA routes or more.
 * Any new, changed or removed plugin instance makes the compile resolve every
 * route's plugin chain again (compile.ts step 7, not quiet), which costs
 * about what compiling that many changed routes does.
 */
export function compilesInSlices(delta: Pick<DeltaHint, 'updated' | 'removed'> | undefined, routes: number): boolean {
  if (isLargeChange(delta)) return true;
  if (routes < LARGE_DELTA) return false;
  for (const r of delta!.updated) if (r.type === 'plugins') return true;
  for (const r of delta!.removed) if (r.type === 'plugins') return true;
  return false;
}
