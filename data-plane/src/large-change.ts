// What counts as a large change to a data plane's config: a whole config
// (start, the disk cache, a full push) or a delta naming many resources (a
// declarative load, not an edit). A large change to a serving config is
// taken in slices (slices.ts), and is followed by a collection that gives
// back what it grew (heap-release.ts); edits get neither.
import type { DeltaHint } from '@portico/shared';

/** A delta naming at least this many resources is a large change. */
export const LARGE_DELTA = 1_000;

/** Whether a change is large: no delta (a whole config), or a delta of LARGE_DELTA resources or more. */
export function isLargeChange(delta: Pick<DeltaHint, 'updated' | 'removed'> | undefined): boolean {
  return delta === undefined || delta.updated.length + delta.removed.length >= LARGE_DELTA;
}
