// Wires one data-plane node: cluster client → compile → hot-swapped config ←
// proxy, plus the status listener. Holds no state that is not derived from
// the last snapshot the control plane sent (or the disk cache of it).
// `createServingCore` is the part every serving process runs (the single
// process here, or each worker of `--workers N`, see workers/).
import { PORTICO_VERSION, PorticoError, pinTickObjectShape, type Logger } from '@portico/shared';
import { startClusterClient, type AppliedSnapshot } from './cluster/client.js';
import { ClusterClientErrors } from './cluster/errors.js';
import { compile, compileSteps, liveCacheNamespaces } from './compile/compile.js';
import { HealthRegistry } from './health/registry.js';
import { HealthConfigs } from './health/snapshot-config.js';
import { dataPlaneHeapRelease, idleSince } from './heap-release.js';
import { compilesInSlices, isLargeChange } from './large-change.js';
import { NodeMetrics } from './metrics/node-metrics.js';
import { ProcessMetrics } from './metrics/process-metrics.js';
import { mergeSnapshots } from './metrics/scrape.js';
import { PluginRuntime } from './plugins/runtime.js';
import type { CompiledConfig } from './compile/types.js';
import type { RateLimitStore } from './plugins/rate-limiting/store.js';
import type { ProxyServer } from './proxy/proxy-server.js';
import { peerOrigins } from './proxy/peer.js';
import { createProxyServer } from './proxy/proxy-server.js';
import { UpstreamPools } from './proxy/upstream-pools.js';
import { runInSlices, SLICE_BUDGET_MS, type SliceStats } from './slices.js';
import { startStatusServer } from './status/status-server.js';

export interface DataPlaneOptions {
  controlPlane: string;
  clusterToken: string;
  proxyHost: string;
  proxyPort: number;
  statusHost: string;
  statusPort: number;
  nodeId: string;
  hostname: string;
  cacheDir: string;
  labels?: Record<string, string>;
  /** How long in-flight requests may take to finish on shutdown. */
  drainMs?: number;
  log: Logger;
}

export interface RunningDataPlane {
  proxyPort: number;
  statusPort: number;
  close(): Promise<void>;
}

/** The mutable cell a request reads once; a swap is one assignment. */
export interface ConfigCell {
  current: CompiledConfig | null;
  /** The version a large change is being compiled to, in slices, while `current` serves (/status reports it). */
  applying?: number | undefined;
}

/** What one serving process holds: the config cell, the proxy and the state that outlives configs. */
export interface ServingCore {
  readonly cell: ConfigCell;
  readonly proxy: ProxyServer;
  readonly health: HealthRegistry;
  /** This process's metrics: what the prometheus plugin records and the proxy's counts. */
  readonly metrics: ProcessMetrics;
  /**
   * Compiles and swaps in a snapshot; throws (or rejects) to refuse it, and
   * nothing changes then. A large change to a serving config is compiled in
   * slices and returns a promise: calls must not overlap.
   */
  apply(snap: AppliedSnapshot): void | Promise<void>;
  /** Stops accepting, drains in-flight requests (bounded), closes pools and runtime. */
  close(drainMs: number): Promise<void>;
}

export function createServingCore(o: { log: Logger; nodeId: string; rateLimits?: RateLimitStore }): ServingCore {
  const log = o.log;
  // Large configs mean full GCs; without this, enough of them put nextTick on V8's slow path (tick-shape.ts).
  pinTickObjectShape();
  // (every field from the start: the proxy reads this object on every request, and its shape never changes)
  const cell: ConfigCell = { current: null, applying: undefined };
  // Health checks, outlier ejection and circuit breakers: keyed by upstream
  // name + address, so they outlive every config generation like the pools.
  const health = new HealthRegistry({ log: log.child({ component: 'health' }) });
  const healthConfigs = new HealthConfigs();
  let upstreamHealth: ReturnType<HealthConfigs['read']> | null = null;
  const pools = new UpstreamPools({ health });
  // Rate-limit counters, cached responses and metrics: outlive every config generation.
  const metrics = new ProcessMetrics({ processDefaults: true });
  const runtime = new PluginRuntime({ log: log.child({ component: 'plugins' }), metrics, ...(o.rateLimits ? { rateLimits: o.rateLimits } : {}) });

  let closed = false;
  const apply = (snap: AppliedSnapshot): void | Promise<void> => {
    const started = process.hrtime.bigint();
    const previous = cell.current;
    // A large change to a config that is serving (or an edit that visits every route of a large one):
    // compiled a slice at a time, so requests keep flowing meanwhile. Otherwise at once: an edit costs
    // less than a slice, and nothing is served before the first config.
    if (previous !== null && compilesInSlices(snap.delta, previous.routes.size)) {
      cell.applying = snap.version;
      return runInSlices(compileSteps(snap, previous, runtime, { health }), SLICE_BUDGET_MS)
        .then(({ value, stats }) => {
          if (closed) throw new PorticoError(ClusterClientErrors.SHUTTING_DOWN, `config ${snap.version} compiled after shutdown began; not applied`);
          swap(snap, previous, value, started, stats);
        })
        .finally(() => {
          cell.applying = undefined;
        });
    }
    swap(snap, previous, compile(snap, previous ?? undefined, runtime, { health }), started, null);
  };

  const swap = (snap: AppliedSnapshot, previous: CompiledConfig | null, next: CompiledConfig, started: bigint, sliced: SliceStats | null): void => {
    // Health configs come from upstream bodies only: compile shares the upstreams map when none
    // changed, and then the last read holds (no pass over a 10,000-route snapshot per change).
    if (upstreamHealth === null || previous === null || next.upstreams !== previous.upstreams) upstreamHealth = healthConfigs.read(snap.resources);
    // Before the swap: the first request on the new config finds its upstreams' health ready.
    health.sync(next.upstreams.values(), upstreamHealth);
    cell.current = next;
    const origins = new Set<string>();
    // Resolved addresses of name targets too: their pools keep warm connections across swaps.
    for (const s of next.services.values()) for (const o of peerOrigins(s)) origins.add(o);
    pools.retain(origins);
    runtime.retain(next.pluginIds, liveCacheNamespaces(next));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const slices = sliced === null ? {} : { slices: sliced.slices, longest_slice_ms: Math.round(sliced.longestMs * 100) / 100 };
    log.info({ config_version: next.version, routes: next.routes.size, services: next.services.size, upstreams: next.upstreams.size, plugins: next.pluginIds.size, compile_ms: Math.round(ms * 100) / 100, ...slices }, 'config applied');
    if (isLargeChange(snap.delta)) heap.poke();
  };

  const upstreamLog = log.child({ component: 'proxy' });
  const proxy = createProxyServer({
    config: cell,
    pools,
    softwareVersion: PORTICO_VERSION,
    log,
    // nginx logs every failed upstream attempt ("connect() failed … while connecting to upstream"); so do we.
    onUpstreamError: (err, service, attempt, final, peer) => {
      upstreamLog.warn({ err, service: service.name ?? service.id, upstream: service.upstream?.name, target: peer.address?.address ?? peer.origin, attempt, final }, 'upstream attempt failed');
    },
  });
  metrics.trackProxy(o.nodeId, proxy);
  const heap = dataPlaneHeapRelease(log, idleSince(() => proxy.requests(), () => proxy.inFlight()));
  return {
    cell,
    proxy,
    health,
    metrics,
    apply,
    close: async (drainMs) => {
      closed = true;
      await proxy.close(drainMs);
      heap.close();
      health.close();
      await pools.close();
      await runtime.close();
    },
  };
}

export async function startDataPlane(o: DataPlaneOptions): Promise<RunningDataPlane> {
  const log = o.log;
  const core = createServingCore({ log, nodeId: o.nodeId });
  const { cell, proxy, health } = core;
  const cluster = startClusterClient({
    address: o.controlPlane,
    token: o.clusterToken,
    node: { id: o.nodeId, hostname: o.hostname, software_version: PORTICO_VERSION, labels: o.labels ?? {} },
    cacheDir: o.cacheDir,
    apply: core.apply,
    healthReport: () => health.report(),
    log: log.child({ component: 'cluster' }),
  });
  const { port: proxyPort } = await proxy.listen(o.proxyHost, o.proxyPort);
  const node = new NodeMetrics({
    nodeId: o.nodeId,
    hostname: o.hostname,
    softwareVersion: PORTICO_VERSION,
    config: cell,
    upstreamHealthExported: () => core.metrics.upstreamHealthExported,
    health: () => health.report(),
  });
  const status = await startStatusServer(o.statusHost, o.statusPort, {
    nodeId: o.nodeId,
    softwareVersion: PORTICO_VERSION,
    config: cell,
    cluster: () => cluster.state(),
    inFlight: () => proxy.inFlight(),
    metrics: async () => mergeSnapshots(await Promise.all([core.metrics.snapshot(), node.snapshot()])),
  });
  log.info({ proxy: `${o.proxyHost}:${proxyPort}`, status: `${o.statusHost}:${status.port}`, control_plane: o.controlPlane, node_id: o.nodeId }, 'data plane started');

  let closing: Promise<void> | undefined;
  return {
    proxyPort,
    statusPort: status.port,
    close: () =>
      (closing ??= (async () => {
        log.info({ drain_ms: o.drainMs ?? 10_000, in_flight: proxy.inFlight() }, 'draining');
        // The proxy stops accepting first; the stream stays up until in-flight requests are done.
        await proxy.close(o.drainMs ?? 10_000);
        await cluster.close();
        await core.close(o.drainMs ?? 10_000);
        await status.close();
        log.info('data plane stopped');
      })()),
  };
}
