// The per-request metrics of Kong's prometheus plugin (Kong 3.x
// kong/plugins/prometheus/exporter.lua), with Kong's names, help texts, label
// names and buckets, so an operator's Kong Grafana dashboards keep working.
// The plugin fills them (plugins/prometheus/); they live in the process's
// ProcessMetrics, so they outlive every config.
import { CounterFamily, HistogramFamily } from './cells.js';

/** Kong's KONG_LATENCY_BUCKETS (ms). */
export const KONG_LATENCY_BUCKETS: readonly number[] = Object.freeze([1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000]);
/** Kong's UPSTREAM_LATENCY_BUCKETS (ms), also used for the total request latency. */
export const UPSTREAM_LATENCY_BUCKETS: readonly number[] = Object.freeze([25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000]);

/** Portico has one workspace; Kong's label value for it. */
export const WORKSPACE = 'default';

export class KongTrafficMetrics {
  readonly requests = new CounterFamily('kong_http_requests_total', 'HTTP status codes per consumer/service/route in Kong', [
    'service',
    'route',
    'code',
    'source',
    'workspace',
    'consumer',
  ]);

  readonly kongLatency = new HistogramFamily(
    'kong_kong_latency_ms',
    'Latency added by Kong and enabled plugins for each service/route in Kong',
    ['service', 'route', 'workspace'],
    KONG_LATENCY_BUCKETS,
  );

  readonly upstreamLatency = new HistogramFamily(
    'kong_upstream_latency_ms',
    'Latency added by upstream response for each service/route in Kong',
    ['service', 'route', 'workspace'],
    UPSTREAM_LATENCY_BUCKETS,
  );

  readonly requestLatency = new HistogramFamily(
    'kong_request_latency_ms',
    'Total latency incurred during requests for each service/route in Kong',
    ['service', 'route', 'workspace'],
    UPSTREAM_LATENCY_BUCKETS,
  );

  readonly bandwidth = new CounterFamily('kong_bandwidth_bytes', 'Total bandwidth (ingress/egress) throughput in bytes', [
    'service',
    'route',
    'direction',
    'workspace',
    'consumer',
  ]);

  get all(): readonly (CounterFamily | HistogramFamily)[] {
    return [this.requests, this.kongLatency, this.upstreamLatency, this.requestLatency, this.bandwidth];
  }
}
