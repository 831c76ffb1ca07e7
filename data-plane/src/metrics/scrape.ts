// One scrape of a node: the metric snapshots of every process that has some
// (the node gauges, the serving process, or the primary and each worker of
// `--workers N`) merged into one Prometheus text body. prom-client's
// AggregatorRegistry merges by metric and label set with each metric's own
// aggregator: Kong's counters, histograms and per-process gauges are summed,
// so one scrape is the whole node; series with a `pid` label stay per process.
import { AggregatorRegistry, Registry } from 'prom-client';
import type { MetricSnapshot } from './cells.js';

/** Prometheus text exposition format 0.0.4, what Kong's /metrics serves too. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export function mergeSnapshots(parts: readonly (readonly MetricSnapshot[])[]): Promise<string> {
  return AggregatorRegistry.aggregate(parts as MetricSnapshot[][]).metrics();
}
