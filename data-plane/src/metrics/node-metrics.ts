// Gauges about the node as a whole, exported once per node by the process
// that holds the status listener (the single process, or the primary of
// `--workers N`): node info, the config it serves, and Kong's
// kong_upstream_target_health when an enabled prometheus instance asks for it.
// Everything is read at scrape time; nothing here is on the request path.
import { Counter, Gauge, Registry } from 'prom-client';
import type { CompiledConfig } from '../compile/types.js';
import type { UpstreamHealthReport } from '../health/types.js';
import type { MetricSnapshot } from './cells.js';

export interface NodeMetricsSources {
  readonly nodeId: string;
  readonly hostname: string;
  readonly softwareVersion: string;
  readonly config: { readonly current: CompiledConfig | null };
  /** Whether an enabled prometheus instance has upstream_health_metrics on. */
  readonly upstreamHealthExported: () => boolean;
  /** The node's view of every upstream's targets (data-plane/src/health/). */
  readonly health: () => readonly UpstreamHealthReport[];
}

/** Kong's states, in the order Kong writes them; the one a target is in has value 1. */
const HEALTH_STATES = ['healthchecks_off', 'healthy', 'unhealthy', 'dns_error'] as const;

/** Kong's config_hash_to_number: the hash's hex digits read as one (floating-point) number. */
export const configHashNumber = (hex: string): number => (/^[0-9a-f]+$/i.test(hex) ? parseInt(hex, 16) : NaN);

export class NodeMetrics {
  readonly registry = new Registry();

  constructor(src: NodeMetricsSources) {
    const registers = [this.registry];
    const node_id = src.nodeId;
    new Gauge({ name: 'kong_node_info', help: 'Kong Node metadata information', labelNames: ['node_id', 'version'], registers }).set({ node_id, version: src.softwareVersion }, 1);
    // A data plane has no database: Kong's DB-less and data-plane nodes always report it reachable.
    new Gauge({ name: 'kong_datastore_reachable', help: 'Datastore reachable from Kong, 0 is unreachable', registers }).set(1);
    // Kong's prometheus library counts its own failures here; Portico's cells cannot fail, so it stays 0.
    new Counter({ name: 'kong_nginx_metric_errors_total', help: 'Number of nginx-lua-prometheus errors', registers });
    // Two views of the config being served, read at scrape time; absent until there is one.
    const configGauge = (name: string, help: string, value: (cfg: CompiledConfig) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['node_id', 'hostname'],
        registers,
        collect() {
          this.reset();
          const cfg = src.config.current;
          if (cfg !== null) this.set({ node_id, hostname: src.hostname }, value(cfg));
        },
      });
    };
    configGauge('kong_data_plane_config_hash', 'Config hash numeric value of the data plane', (cfg) => configHashNumber(cfg.hash));
    configGauge('portico_data_plane_config_version', 'Config version the data plane serves (X-Portico-Config-Version of the admin write that produced it)', (cfg) => cfg.version);
    new Gauge({
      name: 'kong_upstream_target_health',
      help: 'Health status of targets of upstream. States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.',
      labelNames: ['upstream', 'target', 'address', 'state', 'subsystem'],
      registers,
      collect() {
        // Kong erases the series on every scrape, so targets that left the config disappear.
        this.reset();
        if (!src.upstreamHealthExported()) return;
        for (const u of src.health()) {
          for (const t of u.targets) {
            // A target without addresses failed to resolve: Kong reports it as dns_error with an empty address.
            const addresses = t.addresses.length > 0 ? t.addresses.map((a) => ({ address: `${a.ip}:${a.port}`, state: a.health.toLowerCase() })) : [{ address: '', state: 'dns_error' }];
            for (const a of addresses) {
              for (const state of HEALTH_STATES) this.set({ upstream: u.upstream_name, target: t.target, address: a.address, state, subsystem: 'http' }, a.state === state ? 1 : 0);
            }
          }
        }
      },
    });
  }

  snapshot(): Promise<MetricSnapshot[]> {
    return this.registry.getMetricsAsJSON() as unknown as Promise<MetricSnapshot[]>;
  }
}
