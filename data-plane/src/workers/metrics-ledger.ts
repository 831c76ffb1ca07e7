// The primary's book of its workers' metrics, so a node's counters never go
// back: Prometheus reads any decrease of a counter as a restart from zero,
// and a sum that loses one worker's share would show as a burst of traffic.
// A worker that is slow to answer a scrape is represented by its last
// snapshot; a worker that exits leaves its counters and histograms behind
// (its gauges, such as its heap, go with it). Kong keeps its counters in a
// shared dict, which survives a worker crash the same way.
import { AggregatorRegistry } from 'prom-client';
import type { MetricSnapshot } from '../metrics/cells.js';

const cumulative = (s: readonly MetricSnapshot[]): MetricSnapshot[] => s.filter((m) => m.type === 'counter' || m.type === 'histogram');

export class WorkerMetricsLedger {
  readonly #last = new Map<number, MetricSnapshot[]>();
  #retired: MetricSnapshot[][] = [];

  /** A worker answered a scrape. */
  answered(workerId: number, snapshot: MetricSnapshot[]): void {
    this.#last.set(workerId, snapshot);
  }

  /** The worker's last answer, for a scrape it did not answer in time. */
  last(workerId: number): MetricSnapshot[] | undefined {
    return this.#last.get(workerId);
  }

  /** The worker is gone: what it counted stays in the node's totals. */
  exited(workerId: number): void {
    const last = this.#last.get(workerId);
    this.#last.delete(workerId);
    // A new array, so a fold in progress (retired()) sees that it changed.
    if (last !== undefined) this.#retired = [...this.#retired, cumulative(last)];
  }

  /** Everything exited workers counted, folded into one snapshot once more than one is waiting. */
  async retired(): Promise<MetricSnapshot[][]> {
    const taken = this.#retired;
    if (taken.length <= 1) return taken;
    const folded = (await AggregatorRegistry.aggregate(taken).getMetricsAsJSON()) as unknown as MetricSnapshot[];
    // A worker that exited while this ran is kept after the fold.
    if (this.#retired === taken) this.#retired = [folded];
    return [folded];
  }
}
