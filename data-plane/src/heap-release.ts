// When a data-plane process collects its heap on its own initiative (see
// shared's heap-release.ts for why a process must ask at all).
import { HeapRelease, type Logger } from '@portico/shared';

/**
 * Gives back what a large change grew: mostly V8's young generation, which
 * a large load grows to its maximum and which only a memory-reducing
 * collection shrinks (see shared's heap-release.ts). Half a second of quiet
 * lets a burst of large pushes pass first.
 */
export function dataPlaneHeapRelease(log: Logger): HeapRelease {
  return new HeapRelease({ measure: 'unused', thresholdBytes: 16 * 1024 * 1024, quietMs: 500, log: log.child({ component: 'memory' }) });
}
