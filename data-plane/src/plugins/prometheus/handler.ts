// prometheus (Kong 3.x kong/plugins/prometheus/handler.lua and exporter.lua's
// log): records every finished request of the routes it applies to into
// Kong's metric families (metrics/kong-traffic.ts). Only the log phase runs
// per request, and only for the switches that are on. The series it adds to
// are looked up once per route and config (the first request after a swap)
// and kept in small maps keyed by status code and consumer object, so a
// request does arithmetic on cells it already holds: no label objects, no
// label hashing, no strings. Metrics are exported by the data plane's status
// listener (`GET /metrics`), never on the proxy port.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { PrometheusConfig } from '@portico/shared';
import type { CompiledConfig, CompiledConsumer } from '../../compile/types.js';
import type { CounterCell, HistogramCell } from '../../metrics/cells.js';
import { WORKSPACE, type KongTrafficMetrics } from '../../metrics/kong-traffic.js';
import type { PluginContext } from '../context.js';
import type { PluginEnv, PluginHandlers, PluginInstance } from '../types.js';
import { consumerLabel, routeLabel, serviceLabel } from './labels.js';

interface Switches {
  readonly perConsumer: boolean;
  readonly statusCodes: boolean;
  readonly latency: boolean;
  readonly bandwidth: boolean;
}

/** One consumer label's series on one route (consumer '' when not per consumer or none). */
interface ConsumerSeries {
  readonly consumer: string;
  /** status * 2 + (1 when the upstream answered) → kong_http_requests_total cell. */
  readonly codes: Map<number, CounterCell>;
  ingress: CounterCell | null;
  egress: CounterCell | null;
}

/** What earlier logged requests on a keep-alive connection already counted. */
interface ByteMarks {
  read: number;
  written: number;
}
/**
 * Per connection, beside the socket rather than on it: properties added to
 * node's sockets would give them a second shape, and every stream function
 * that handles sockets would pay for it.
 */
const marks = new WeakMap<Socket, ByteMarks>();

const NOTHING: PluginHandlers = Object.freeze({});

export function createPrometheus(c: PrometheusConfig, env: PluginEnv): PluginInstance {
  const metrics = env.runtime.metrics;
  // Read at scrape time (metrics/node-metrics.ts); a swap that drops this instance forgets it.
  metrics.exportUpstreamHealth(env.pluginId, c.upstream_health_metrics);
  const on: Switches = Object.freeze({ perConsumer: c.per_consumer, statusCodes: c.status_code_metrics, latency: c.latency_metrics, bandwidth: c.bandwidth_metrics });
  // Nothing to record per request: no log phase at all (Kong's exporter would record nothing either).
  if (!on.statusCodes && !on.latency && !on.bandwidth) return { handlers: NOTHING };
  return { handlers: NOTHING, bindRoute: () => new PrometheusRoute(on, metrics.traffic) };
}

/** One route's handlers: its label values and cells, refreshed when the request's config is a new one. */
class PrometheusRoute implements PluginHandlers {
  #config: CompiledConfig | null = null;
  #service = '';
  #route = '';
  #anonymous: ConsumerSeries | null = null;
  #consumers: Map<CompiledConsumer, ConsumerSeries> | null = null;
  #kongLatency: HistogramCell | null = null;
  #upstreamLatency: HistogramCell | null = null;
  #requestLatency: HistogramCell | null = null;

  constructor(
    readonly on: Switches,
    readonly traffic: KongTrafficMetrics,
  ) {}

  log(ctx: PluginContext): void {
    // A new config may have renamed the route or its service: take the labels again (same labels, same cells).
    if (ctx.config !== this.#config) this.#bind(ctx);
    const on = this.on;
    const consumer = ctx.consumer;
    const series = on.perConsumer && consumer !== null ? this.#forConsumer(consumer) : this.#anonymous!;
    if (on.statusCodes) {
      // Kong's source: "service" when the client got the upstream's response, "kong" for answers of its own.
      const proxied = ctx.upstreamLatency >= 0;
      const key = ctx.status * 2 + (proxied ? 1 : 0);
      const cell = series.codes.get(key) ?? this.#codeCell(series, key, ctx.status, proxied);
      cell.value++;
    }
    if (on.latency) {
      const total = Math.round(performance.now() - ctx.startedAt);
      this.#requestLatency!.observe(total);
      // Kong's latencies.proxy is -1 (not observed) when no upstream answered.
      if (ctx.upstreamLatency >= 0) this.#upstreamLatency!.observe(ctx.upstreamLatency);
      // Kong's latencies.kong: the time until proxying started, or until Kong's own answer.
      this.#kongLatency!.observe(ctx.proxyLatency >= 0 ? ctx.proxyLatency : total);
    }
    if (on.bandwidth) this.#bandwidth(ctx, series);
  }

  /**
   * Kong's request.size / response.size (nginx request_length, bytes_sent):
   * the connection's byte counts since the previous logged request on it,
   * headers included.
   */
  #bandwidth(ctx: PluginContext, series: ConsumerSeries): void {
    const socket = ctx.req.socket;
    let mark = marks.get(socket);
    if (mark === undefined) marks.set(socket, (mark = { read: 0, written: 0 }));
    const read = socket.bytesRead;
    const written = socket.bytesWritten ?? mark.written;
    const ingress = read - mark.read;
    const egress = written - mark.written;
    mark.read = read;
    mark.written = written;
    if (ingress > 0) (series.ingress ??= this.traffic.bandwidth.cell([this.#service, this.#route, 'ingress', WORKSPACE, series.consumer])).value += ingress;
    if (egress > 0) (series.egress ??= this.traffic.bandwidth.cell([this.#service, this.#route, 'egress', WORKSPACE, series.consumer])).value += egress;
  }

  #bind(ctx: PluginContext): void {
    this.#config = ctx.config;
    this.#service = serviceLabel(ctx.service);
    this.#route = routeLabel(ctx.route);
    this.#anonymous = newSeries('');
    this.#consumers = null;
    if (this.on.latency) {
      const labels = [this.#service, this.#route, WORKSPACE];
      this.#kongLatency = this.traffic.kongLatency.cell(labels);
      this.#upstreamLatency = this.traffic.upstreamLatency.cell(labels);
      this.#requestLatency = this.traffic.requestLatency.cell(labels);
    }
  }

  #forConsumer(consumer: CompiledConsumer): ConsumerSeries {
    const byConsumer = (this.#consumers ??= new Map());
    let s = byConsumer.get(consumer);
    if (s === undefined) byConsumer.set(consumer, (s = newSeries(consumerLabel(consumer))));
    return s;
  }

  #codeCell(series: ConsumerSeries, key: number, status: number, proxied: boolean): CounterCell {
    const cell = this.traffic.requests.cell([this.#service, this.#route, String(status), proxied ? 'service' : 'kong', WORKSPACE, series.consumer]);
    series.codes.set(key, cell);
    return cell;
  }
}

const newSeries = (consumer: string): ConsumerSeries => ({ consumer, codes: new Map(), ingress: null, egress: null });
