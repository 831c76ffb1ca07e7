// Metric families whose series ("cells") are looked up once and then updated
// with plain arithmetic. prom-client's own `labels(...).inc()` builds a label
// object, validates it and hashes it on every call; here the request path
// holds the cell it was handed at bind time and only adds to it. A family
// has the shape prom-client's Registry reads (`name`, `type`, `get()`), so
// the registry formats and aggregates it like one of its own metrics.
import type { Aggregator, MetricValue, MetricValueWithName } from 'prom-client';

/** One counter series: the request path does `cell.value += n`. */
export interface CounterCell {
  value: number;
}

/** One histogram series. Buckets are Kong's (milliseconds); counts are per bucket, not cumulative. */
export class HistogramCell {
  /** counts[i] = observations in (bounds[i-1], bounds[i]]; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    // Short bucket lists (≤ 15): a scan beats a binary search and allocates nothing.
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

type Labels = Record<string, string>;

interface Series<C> {
  readonly labels: Labels;
  readonly cell: C;
}

/** What prom-client's Registry and AggregatorRegistry read from a metric. */
export interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: Aggregator;
  values: (MetricValue<string> | MetricValueWithName<string>)[];
}

abstract class CellFamily<C> {
  readonly aggregator: Aggregator = 'sum';
  readonly #series = new Map<string, Series<C>>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  abstract readonly type: MetricSnapshot['type'];
  protected abstract newCell(): C;
  protected abstract values(s: Series<C>, out: MetricSnapshot['values']): void;

  /** The cell of one label set, created on first use (bind time, never per request). */
  cell(labelValues: readonly string[]): C {
    if (labelValues.length !== this.labelNames.length) throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${labelValues.length}`);
    const key = labelValues.join('\u0000');
    let s = this.#series.get(key);
    if (s === undefined) {
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = labelValues[i]!));
      this.#series.set(key, (s = { labels, cell: this.newCell() }));
    }
    return s.cell;
  }

  /** prom-client's Metric.get(): the snapshot a scrape formats (or sends to the primary). */
  get(): Promise<MetricSnapshot> {
    const values: MetricSnapshot['values'] = [];
    for (const s of this.#series.values()) this.values(s, values);
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Registry.resetMetrics() calls it; cells handed out keep counting but are no longer exported. */
  reset(): void {
    this.#series.clear();
  }
}

export class CounterFamily extends CellFamily<CounterCell> {
  readonly type = 'counter';

  protected newCell(): CounterCell {
    return { value: 0 };
  }

  protected values(s: Series<CounterCell>, out: MetricSnapshot['values']): void {
    // A series nothing was added to yet is left out, as Kong's exporter never writes it.
    if (s.cell.value !== 0) out.push({ labels: s.labels, value: s.cell.value });
  }
}

export class HistogramFamily extends CellFamily<HistogramCell> {
  readonly type = 'histogram';

  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[]) {
    super(name, help, labelNames);
  }

  protected newCell(): HistogramCell {
    return new HistogramCell(this.buckets);
  }

  protected values(s: Series<HistogramCell>, out: MetricSnapshot['values']): void {
    const c = s.cell;
    if (c.count === 0) return;
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += c.counts[i]!;
      out.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: this.buckets[i]! }, value: cumulative });
    }
    out.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: c.count });
    out.push({ metricName: `${this.name}_sum`, labels: s.labels, value: c.sum });
    out.push({ metricName: `${this.name}_count`, labels: s.labels, value: c.count });
  }
}
