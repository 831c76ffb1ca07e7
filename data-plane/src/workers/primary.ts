// `portico dp --workers N`: the primary of a node. It holds the node's one
// cluster stream (disk cache, hello, ACK/NACK), the status listener and the
// rate-limit counters; N node:cluster workers share the proxy port.
//
// Per push: the primary compiles the snapshot once (a bad config throws here,
// is NACKed whole and never reaches a worker), sends the resources to every
// worker over IPC, and ACKs once every worker that is not draining reports it
// applied them, or after APPLY_WAIT_MS with a warning (the config is valid;
// a worker that cannot apply it is restarted and gets it in its init).
// Scheduling is node:cluster's round-robin (SCHED_RR), set explicitly: the
// primary accepts connections and hands them to workers in turn, which spreads
// load evenly (the OS's accept() balancing is lopsided under Node).
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { PORTICO_VERSION, pinTickObjectShape } from '@portico/shared';
import { startClusterClient, type AppliedSnapshot } from '../cluster/client.js';
import { compile, compileSteps, liveCacheNamespaces } from '../compile/compile.js';
import { runInSlices, SLICE_BUDGET_MS } from '../slices.js';
import { dataPlaneHeapRelease, idleSince } from '../heap-release.js';
import { compilesInSlices, isLargeChange } from '../large-change.js';
import type { CompiledConfig } from '../compile/types.js';
import type { ConfigCell, DataPlaneOptions, RunningDataPlane } from '../main.js';
import type { MetricSnapshot } from '../metrics/cells.js';
import { NodeMetrics } from '../metrics/node-metrics.js';
import { ProcessMetrics } from '../metrics/process-metrics.js';
import { mergeSnapshots } from '../metrics/scrape.js';
import { PluginRuntime } from '../plugins/runtime.js';
import { LocalRateLimitStore } from '../plugins/rate-limiting/store.js';
import { startStatusServer, type WorkerStatus, type WorkersStatus } from '../status/status-server.js';
import type { UpstreamHealthReport } from '../health/types.js';
import { answerRateLimit, isRateLimitRequest } from './ipc-rate-limit-store.js';
import { WorkerFleet } from './fleet.js';
import { WorkerMetricsLedger } from './metrics-ledger.js';
import { diffFromHint, diffResources, type ResourceIndex } from './config-delta.js';
import { isMessage, type PrimaryToWorker, type WireSnapshot, type WorkerToPrimary } from './messages.js';

const APPLY_WAIT_MS = 10_000;
const STATS_WAIT_MS = 500;
/** How long a scrape waits for a worker's metrics before it uses the worker's previous answer. */
const METRICS_WAIT_MS = 1_000;
/** A worker that dies sooner than this after its fork is restarted after RESTART_DELAY_MS (crash loops stay cheap). */
const MIN_UPTIME_MS = 2_000;
const RESTART_DELAY_MS = 1_000;

export interface WorkerPrimaryOptions extends DataPlaneOptions {
  workers: number;
  logLevel: string;
}

export async function startWorkerPrimary(o: WorkerPrimaryOptions): Promise<RunningDataPlane> {
  const log = o.log;
  pinTickObjectShape(); // see tick-shape.ts: the primary compiles large configs too
  // It compiles and holds the node's set: it gives back what a large change grew, as a worker does,
  // when no worker has asked it about a rate limit for a while (those requests would wait out the pause).
  let rateLimitAsks = 0;
  const heap = dataPlaneHeapRelease(log, idleSince(() => rateLimitAsks));
  const drainMs = o.drainMs ?? 10_000;
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker-entry.js', import.meta.url)), args: [] });

  // What the node serves once every worker has it (status reads this).
  // (every field from the start, like a serving core's cell: status and metrics read it)
  const cell: ConfigCell = { current: null, applying: undefined };
  // The primary's own compile of the newest accepted config: the ACK/NACK decision and the base of the next compile.
  let compiled: CompiledConfig | undefined;
  /** The newest accepted config's version and hash; its resources are `latestIndex`'s. */
  let latest: { version: number; hash: string } | null = null;
  // The node's rate-limit counters: workers consume them over IPC; the primary's compile retains them.
  const counters = new LocalRateLimitStore();
  // The primary's own process metrics; its compile also tells them which prometheus instances want upstream health.
  const metrics = new ProcessMetrics({ processDefaults: true });
  const runtime = new PluginRuntime({ rateLimits: counters, log: log.child({ component: 'plugins' }), metrics });
  const ledger = new WorkerMetricsLedger();
  const metricWaiters = new Map<number, (m: MetricSnapshot[]) => void>();
  const fleet = new WorkerFleet();
  /** Workers that got their init: only they are sent configs (a later init carries the newest anyway). */
  const initialized = new Set<number>();
  /** Worker id → version of the last config sent to it (whole or delta): a delta goes only to a worker holding its base. */
  const sentVersion = new Map<number, number>();
  let latestIndex: ResourceIndex | null = null;
  // The whole newest config for a worker that holds none (or asked for it): built only then, from the index.
  const wholeLatest = (): WireSnapshot | null => (latest === null ? null : { ...latest, resources: [...latestIndex!.values()] });
  const healthById = new Map<number, UpstreamHealthReport[]>();
  const stats = new Map<number, (s: { inFlight: number; requests: number }) => void>();
  let statsId = 0;
  let boundPort = o.proxyPort;
  let listenPort = o.proxyPort;
  let closing = false;
  let restarts = 0;
  let firstListening: (() => void) | null = null;
  let failStart: ((err: Error) => void) | null = null;
  const allListening = new Promise<void>((resolve, reject) => {
    firstListening = resolve;
    failStart = reject;
  });

  const sendTo = (w: Worker, m: PrimaryToWorker): void => {
    if (w.isConnected()) w.send(m);
  };

  const fork = (): void => {
    const w = cluster.fork();
    const started = Date.now();
    fleet.add(w.id, w.process.pid ?? 0, restarts);
    w.on('message', (m: unknown) => {
      if (isRateLimitRequest(m)) {
        rateLimitAsks++;
        return answerRateLimit(counters, m, (r) => sendTo(w, r as unknown as PrimaryToWorker), false);
      }
      if (!isMessage(m)) return;
      const msg = m as WorkerToPrimary;
      switch (msg.t) {
        case 'ready':
          // Before the worker listens: the node's current config, so it never serves without one.
          // From here on it also gets every config the primary accepts, in order, on the same channel.
          // node:cluster shares one listening handle per requested address: while any worker holds it,
          // a newcomer asks for the same port value (0 included); once none does, for the port it had.
          if (initialized.size === 0) listenPort = boundPort;
          initialized.add(w.id);
          sendTo(w, { t: 'init', proxyHost: o.proxyHost, proxyPort: listenPort, nodeId: o.nodeId, logLevel: o.logLevel, config: wholeLatest() });
          if (latest !== null) sentVersion.set(w.id, latest.version);
          return;
        case 'need-full':
          if (latest === null) return;
          log.warn({ worker_pid: w.process.pid, holding: msg.holding, config_version: latest.version }, 'worker asked for the whole config');
          sendTo(w, { t: 'config', config: wholeLatest()! });
          sentVersion.set(w.id, latest.version);
          return;
        case 'listening':
          if (boundPort === 0) boundPort = msg.port;
          fleet.listening(w.id);
          log.info({ worker_pid: w.process.pid, config_version: fleet.list().find((x) => x.id === w.id)?.version ?? null }, 'worker listening');
          if (fleet.list().filter((x) => x.state === 'listening').length >= o.workers) {
            firstListening?.();
            failStart = null;
          }
          return;
        case 'applied':
          fleet.applied(w.id, msg.version, msg.hash);
          return;
        case 'apply-failed':
          log.error({ worker_pid: w.process.pid, config_version: msg.version, error: msg.error }, 'worker rejected a config the primary accepted; restarting it');
          w.process.kill('SIGKILL');
          return;
        case 'stats':
          stats.get(msg.id)?.({ inFlight: msg.inFlight, requests: msg.requests });
          return;
        case 'health':
          healthById.set(w.id, msg.report);
          return;
        case 'metrics':
          ledger.answered(w.id, msg.metrics);
          metricWaiters.get(msg.id)?.(msg.metrics);
          return;
      }
    });
    w.on('exit', (code, signal) => {
      fleet.remove(w.id);
      initialized.delete(w.id);
      sentVersion.delete(w.id);
      healthById.delete(w.id);
      ledger.exited(w.id);
      if (closing) return;
      if (failStart) {
        // Before the node started (e.g. the proxy port is taken): fail like a single process would, not loop.
        closing = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGKILL');
        void cluster_.close();
        failStart(new Error(`worker ${w.process.pid ?? '?'} exited (code ${String(code)}, signal ${String(signal)}) before the node started; see its log above`));
        return;
      }
      restarts++;
      const delay = Date.now() - started < MIN_UPTIME_MS ? RESTART_DELAY_MS : 0;
      log.warn({ worker_pid: w.process.pid, code, signal, restart_in_ms: delay }, 'worker exited; starting another');
      setTimeout(() => {
        if (!closing) fork();
      }, delay).unref();
    });
  };

  const apply = (snap: AppliedSnapshot): Promise<void> => {
    const started = process.hrtime.bigint();
    // Until every worker has it (or it fails): /status shows the version the node is taking.
    cell.applying = snap.version;
    const done = () => {
      cell.applying = undefined;
    };
    // Throws on a bad config: the client NACKs and no worker ever sees it. A large change (or an edit
    // visiting every route of a large table) compiles in slices, as in a worker: this thread answers the workers' rate-limit asks, which requests wait on.
    try {
      const sent =
        compiled !== undefined && compilesInSlices(snap.delta, compiled.routes.size)
          ? runInSlices(compileSteps(snap, compiled, runtime), SLICE_BUDGET_MS).then(({ value }) => sendToWorkers(snap, value, started))
          : sendToWorkers(snap, compile(snap, compiled, runtime), started);
      return sent.finally(done);
    } catch (err) {
      done();
      throw err;
    }
  };

  const sendToWorkers = (snap: AppliedSnapshot, next: CompiledConfig, started: bigint): Promise<void> => {
    compiled = next;
    // The node's counters follow the newest accepted config (workers' own retains are ignored).
    runtime.retain(next.pluginIds, liveCacheNamespaces(next));
    const base = latest; // what workers holding the previous config hold
    // A delta on the config the workers were last sent: diff from the change, not the whole table.
    const hint = snap.delta;
    const onLatest = hint !== undefined && base !== null && latestIndex !== null && hint.baseVersion === base.version && hint.baseHash === base.hash;
    const diff = onLatest ? diffFromHint(latestIndex!, hint) : diffResources(latestIndex, snap.resources);
    latestIndex = diff.index;
    latest = { version: snap.version, hash: snap.hash };
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log.info({ config_version: next.version, routes: next.routes.size, services: next.services.size, plugins: next.pluginIds.size, compile_ms: Math.round(ms * 100) / 100, workers: fleet.size, changed: diff.changed.length, removed: diff.removed.length }, 'config accepted; sending to workers');
    if (isLargeChange(hint)) heap.poke();
    const delta = base === null ? null : { baseVersion: base.version, baseHash: base.hash, version: snap.version, hash: snap.hash, changed: diff.changed, removed: diff.removed };
    let whole: WireSnapshot | null = null;
    for (const w of Object.values(cluster.workers ?? {})) {
      if (!w || !initialized.has(w.id)) continue;
      // Only what changed to a worker holding the previous config; the whole list otherwise.
      if (delta !== null && sentVersion.get(w.id) === delta.baseVersion) sendTo(w, { t: 'config-delta', delta });
      else sendTo(w, { t: 'config', config: (whole ??= wholeLatest()!) });
      sentVersion.set(w.id, snap.version);
    }
    return fleet.whenApplied(snap.version, APPLY_WAIT_MS).then((all) => {
      if (!all) log.warn({ config_version: snap.version, waited_ms: APPLY_WAIT_MS }, 'not every worker reported the config in time; acknowledging anyway');
      // Only a newer config may replace what status reports.
      if (cell.current === null || next.version >= cell.current.version) cell.current = next;
      log.info({ config_version: next.version, workers: fleet.size }, 'config applied');
    });
  };

  // Every worker runs the same health checks on the same config; the node's view is the oldest live worker's.
  const nodeHealth = () => {
    const oldest = fleet.list().find((m) => healthById.has(m.id));
    return oldest ? healthById.get(oldest.id)! : [];
  };

  const cluster_ = startClusterClient({
    address: o.controlPlane,
    token: o.clusterToken,
    node: { id: o.nodeId, hostname: o.hostname, software_version: PORTICO_VERSION, labels: o.labels ?? {} },
    cacheDir: o.cacheDir,
    apply,
    healthReport: nodeHealth,
    log: log.child({ component: 'cluster' }),
  });

  for (let i = 0; i < o.workers; i++) fork();
  await allListening;

  const askStats = (w: Worker): Promise<{ inFlight: number; requests: number } | null> =>
    new Promise((resolve) => {
      const id = ++statsId;
      const timer = setTimeout(() => (stats.delete(id), resolve(null)), STATS_WAIT_MS);
      stats.set(id, (s) => (clearTimeout(timer), stats.delete(id), resolve(s)));
      sendTo(w, { t: 'stats', id });
    });

  const askMetrics = (w: Worker): Promise<MetricSnapshot[] | undefined> =>
    new Promise((resolve) => {
      const id = ++statsId;
      const timer = setTimeout(() => (metricWaiters.delete(id), resolve(ledger.last(w.id))), METRICS_WAIT_MS);
      metricWaiters.set(id, (m) => (clearTimeout(timer), metricWaiters.delete(id), resolve(m)));
      sendTo(w, { t: 'metrics', id });
    });

  const node = new NodeMetrics({
    nodeId: o.nodeId,
    hostname: o.hostname,
    softwareVersion: PORTICO_VERSION,
    config: cell,
    upstreamHealthExported: () => metrics.upstreamHealthExported,
    health: nodeHealth,
  });

  /** One scrape of the node: the primary, the node gauges, every worker, and what exited workers counted. */
  const nodeMetrics = async (): Promise<string> => {
    // A worker whose channel is gone (it is exiting) counts with its last answer.
    const asked = Object.values(cluster.workers ?? {}).flatMap((w) => (w && initialized.has(w.id) ? [w.isConnected() ? askMetrics(w) : Promise.resolve(ledger.last(w.id))] : []));
    const [own, nodeGauges, retired, ...workers] = await Promise.all([metrics.snapshot(), node.snapshot(), ledger.retired(), ...asked]);
    return mergeSnapshots([own, nodeGauges, ...retired, ...workers.filter((m) => m !== undefined)]);
  };

  const workersStatus = async (): Promise<WorkersStatus> => {
    const members = fleet.list();
    const list = await Promise.all(
      members.map(async (m): Promise<WorkerStatus> => {
        const w = cluster.workers?.[m.id];
        const s = w ? await askStats(w) : null;
        return { id: m.id, pid: m.pid, state: m.state, config_version: m.version, config_hash: m.hash, in_flight_requests: s?.inFlight ?? null, requests: s?.requests ?? null, restarts: m.restarts };
      }),
    );
    return { configured: o.workers, list };
  };

  const status = await startStatusServer(o.statusHost, o.statusPort, {
    nodeId: o.nodeId,
    softwareVersion: PORTICO_VERSION,
    config: cell,
    cluster: () => cluster_.state(),
    inFlight: () => 0,
    workers: workersStatus,
    metrics: nodeMetrics,
  });
  log.info({ proxy: `${o.proxyHost}:${boundPort}`, status: `${o.statusHost}:${status.port}`, control_plane: o.controlPlane, node_id: o.nodeId, workers: o.workers, worker_pids: fleet.list().map((m) => m.pid), scheduling: 'round-robin' }, 'data plane started');

  let closed: Promise<void> | undefined;
  return {
    proxyPort: boundPort,
    statusPort: status.port,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        log.info({ drain_ms: drainMs, workers: fleet.size }, 'draining');
        fleet.releaseAll();
        const exits = Object.values(cluster.workers ?? {}).flatMap((w) => {
          if (!w) return [];
          fleet.draining(w.id);
          const exited = new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve())));
          sendTo(w, { t: 'drain', drainMs });
          return [{ w, exited }];
        });
        // Bounded: a worker still there after its drain window (plus slack to close) is killed.
        const deadline = setTimeout(() => {
          for (const { w } of exits) if (!w.isDead()) w.process.kill('SIGKILL');
        }, drainMs + 2_000);
        await Promise.all(exits.map((e) => e.exited));
        clearTimeout(deadline);
        await cluster_.close();
        heap.close();
        await runtime.close();
        await status.close();
        log.info('data plane stopped');
      })()),
  };
}

