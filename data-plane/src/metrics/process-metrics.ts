// The metrics one data-plane process holds: Kong's per-request families (the
// prometheus plugin writes them), the proxy's request and connection counts
// and heap size as Kong's node gauges, and optionally prom-client's default
// process metrics. One per process, owned by the PluginRuntime, so counters
// survive every config swap. With `--workers N` each worker has its own and
// the primary sums them at scrape time (scrape.ts).
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { MetricSnapshot } from './cells.js';
import { KongTrafficMetrics } from './kong-traffic.js';

export interface ProcessMetricsOptions {
  /**
   * prom-client's default metrics (CPU, memory, event-loop lag, GC). They
   * start an event-loop monitor and a GC observer, so only real processes
   * turn them on.
   */
  readonly processDefaults?: boolean;
}

/** What the proxy listener counts, read at scrape time. */
export interface ProxyCounts {
  /** Requests received since start (every one: routed, 404, answered by a plugin). */
  requests(): number;
  /** Client connections accepted since start. */
  connectionsAccepted(): number;
  /** Client connections open now. */
  connectionsOpen(): Promise<number>;
  /** Requests accepted and not yet finished. */
  inFlight(): number;
}

type RegisteredMetric = Parameters<Registry['registerMetric']>[0];

export class ProcessMetrics {
  readonly registry = new Registry();
  readonly traffic = new KongTrafficMetrics();
  /** Enabled prometheus instances by plugin id → whether they ask for upstream target health. */
  readonly #upstreamHealth = new Map<string, boolean>();

  constructor(opts: ProcessMetricsOptions = {}) {
    // The families have the shape the registry reads (cells.ts); prom-client's types only know its own classes.
    for (const f of this.traffic.all) this.registry.registerMetric(f as unknown as RegisteredMetric);
    if (opts.processDefaults) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * A serving process: Kong's nginx request and connection gauges from the
   * proxy's counts, and its heap as Kong's per-worker Lua VM memory.
   */
  trackProxy(nodeId: string, proxy: ProxyCounts): void {
    const registers = [this.registry];
    new Gauge({
      name: 'kong_nginx_requests_total',
      help: 'Number of requests total',
      labelNames: ['node_id', 'subsystem'],
      registers,
      collect() {
        this.set({ node_id: nodeId, subsystem: 'http' }, proxy.requests());
      },
    });
    new Gauge({
      name: 'kong_nginx_connections_total',
      help: 'Number of connections by subsystem',
      labelNames: ['node_id', 'subsystem', 'state'],
      registers,
      async collect() {
        const open = await proxy.connectionsOpen();
        const writing = Math.min(open, proxy.inFlight());
        const accepted = proxy.connectionsAccepted();
        // nginx's stub_status states that a Node server can know: handled = accepted (nginx drops none
        // here), writing = connections with a request in progress, waiting = idle keep-alive ones.
        const states: [string, number][] = [['accepted', accepted], ['handled', accepted], ['active', open], ['writing', writing], ['waiting', open - writing], ['total', proxy.requests()]];
        for (const [state, v] of states) this.set({ node_id: nodeId, subsystem: 'http', state }, v);
      },
    });
    new Gauge({
      name: 'kong_memory_workers_lua_vms_bytes',
      help: 'Allocated bytes in worker Lua VM',
      labelNames: ['node_id', 'pid', 'kong_subsystem'],
      registers,
      collect() {
        // A Portico worker's V8 heap is what a Kong worker's Lua VM is: where its per-request objects live.
        this.set({ node_id: nodeId, pid: String(process.pid), kong_subsystem: 'http' }, process.memoryUsage().heapUsed);
      },
    });
  }

  /**
   * A prometheus instance was created (compile): Kong exports
   * kong_upstream_target_health while any enabled instance asks for it.
   */
  exportUpstreamHealth(pluginId: string, on: boolean): void {
    this.#upstreamHealth.set(pluginId, on);
  }

  /** Whether an enabled prometheus instance asks for kong_upstream_target_health. */
  get upstreamHealthExported(): boolean {
    for (const on of this.#upstreamHealth.values()) if (on) return true;
    return false;
  }

  /** After a swap: forget instances that are gone or disabled. */
  retain(pluginIds: ReadonlySet<string>): void {
    for (const id of this.#upstreamHealth.keys()) if (!pluginIds.has(id)) this.#upstreamHealth.delete(id);
  }

  /** Every metric of this process, in the form scrape.ts merges (and workers send over IPC). */
  async snapshot(): Promise<MetricSnapshot[]> {
    return (await this.registry.getMetricsAsJSON()) as unknown as MetricSnapshot[];
  }
}
