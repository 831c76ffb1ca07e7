// When a data-plane process collects its heap on its own initiative (see
// shared's heap-release.ts for why a process must ask at all).
import { HeapRelease, type Logger } from '@portico/shared';

/**
 * Gives back what a large change grew: mostly V8's young generation, which
 * a large load grows to its maximum and which only a memory-reducing
 * collection shrinks (see shared's heap-release.ts). Half a second of quiet
 * lets a burst of large pushes pass first; then it waits for the process to
 * be idle (see idleSince), since the collection stops the thread for
 * 130–480 ms.
 */
export function dataPlaneHeapRelease(log: Logger, idle: () => boolean): HeapRelease {
  return new HeapRelease({ measure: 'unused', thresholdBytes: 16 * 1024 * 1024, quietMs: 500, idle, log: log.child({ component: 'memory' }) });
}

/**
 * An `idle` for HeapRelease from a count of the work a pause would hold up
 * (requests a worker served, rate-limit asks the primary answered): idle when
 * the count has not moved since the previous look and nothing is in flight.
 */
export function idleSince(count: () => number, inFlight: () => number = () => 0): () => boolean {
  let seen = count();
  return () => {
    const now = count();
    const quiet = now === seen && inFlight() === 0;
    seen = now;
    return quiet;
  };
}
