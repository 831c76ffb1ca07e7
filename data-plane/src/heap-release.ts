// When a data-plane process collects its heap on its own initiative (see
// shared's heap-release.ts for why a process must ask at all).
import { HeapRelease, type DeltaHint, type Logger } from '@portico/shared';

/** A delta naming at least this many resources is a large change (a declarative load, not an edit). */
export const LARGE_DELTA = 1_000;

/**
 * Gives back what a large change grew: mostly V8's young generation, which
 * a large load grows to its maximum and which only a memory-reducing
 * collection shrinks (see shared's heap-release.ts). Half a second of quiet
 * lets a burst of large pushes pass first.
 */
export function dataPlaneHeapRelease(log: Logger): HeapRelease {
  return new HeapRelease({ measure: 'unused', thresholdBytes: 16 * 1024 * 1024, quietMs: 500, log: log.child({ component: 'memory' }) });
}

/**
 * Whether an applied config was a large change: a whole one (start, a full
 * push) or a large delta. Edits never are, so churn never pays a collection,
 * and a young generation grown by traffic is left alone.
 */
export function isLargeChange(delta: Pick<DeltaHint, 'updated' | 'removed'> | undefined): boolean {
  return delta === undefined || delta.updated.length + delta.removed.length >= LARGE_DELTA;
}
