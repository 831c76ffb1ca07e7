// One worker of `portico dp --workers N` (a node:cluster worker). It serves
// the shared proxy port with the same serving core as a single-process node,
// but holds no cluster stream and no status listener: the primary sends it the
// config (first in `init`, before it listens, so a restarted worker never
// serves without the node's config) and answers its rate-limit questions.
import { createLogger, type LogLevel } from '@portico/shared';
import type { AppliedSnapshot } from '../cluster/client.js';
import { createServingCore, type ServingCore } from '../main.js';
import { applyDelta, indexResources, type ResourceIndex } from './config-delta.js';
import { IpcRateLimitStore } from './ipc-rate-limit-store.js';
import { isMessage, type PrimaryToWorker, type WireSnapshot, type WorkerInit, type WorkerToPrimary } from './messages.js';

const HEALTH_REPORT_MS = 1_000;

export function runWorker(): void {
  const tell = (m: WorkerToPrimary): void => {
    if (process.connected) process.send!(m);
  };
  // The primary decides when to drain; Ctrl-C in a terminal signals the whole
  // process group, and a worker must not leave before the primary tells it.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);

  let core: ServingCore | null = null;
  let draining = false;
  const channel = {
    send: (m: unknown) => process.send!(m),
    on: (e: 'message', l: (m: unknown) => void) => process.on(e, l),
    off: (e: 'message', l: (m: unknown) => void) => process.off(e, l),
  };
  const rateLimits = new IpcRateLimitStore(channel);
  // node:cluster exits a worker whose primary went away; fail waiting rate-limit asks first.
  process.once('disconnect', () => rateLimits.failAll('primary gone'));

  // The config this worker holds, by resource, so a delta from the primary can be applied to it.
  let held: ResourceIndex = new Map();
  let heldVersion = -1;

  const applyWhole = (log: ReturnType<typeof createLogger>, snap: WireSnapshot): void | Promise<void> => {
    held = indexResources(snap.resources);
    heldVersion = snap.version;
    return apply(log, snap);
  };

  const apply = (log: ReturnType<typeof createLogger>, snap: AppliedSnapshot): void | Promise<void> => {
    const failed = (err: unknown): void => {
      // What this worker holds no longer matches what it serves: the next delta asks for the whole config.
      heldVersion = -1;
      const error = err instanceof Error ? err.message : String(err);
      log.error({ config_version: snap.version, error }, 'worker could not apply a config the primary accepted');
      tell({ t: 'apply-failed', version: snap.version, error });
    };
    const applied = (): void => tell({ t: 'applied', version: snap.version, hash: snap.hash });
    try {
      const pending = core!.apply(snap);
      if (pending === undefined) return applied();
      return pending.then(applied, failed);
    } catch (err) {
      failed(err);
    }
  };

  // A large change compiles in slices (main.ts): configs that arrive meanwhile wait their turn, in order.
  let configs: Promise<void> = Promise.resolve();
  const inTurn = (handle: () => void | Promise<void>): void => {
    configs = configs.then(handle).catch((err: unknown) => {
      // (apply reports its own failures; this is anything else, and the next config must still get its turn)
      heldVersion = -1;
      log?.error({ err }, 'worker could not take a config from the primary');
    });
  };

  let log: ReturnType<typeof createLogger> | null = null;
  const init = async (m: WorkerInit): Promise<void> => {
    log = createLogger({ name: 'portico-dp', level: m.logLevel as LogLevel, bindings: { node_id: m.nodeId, worker_pid: process.pid } });
    core = createServingCore({ log, nodeId: m.nodeId, rateLimits });
    if (m.config) applyWhole(log, m.config);
    const { port } = await core.proxy.listen(m.proxyHost, m.proxyPort);
    tell({ t: 'listening', port });
    const health = setInterval(() => tell({ t: 'health', report: core!.health.report() }), HEALTH_REPORT_MS);
    health.unref();
  };

  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    const msg = m as PrimaryToWorker;
    switch (msg.t) {
      case 'init':
        init(msg).catch((err: unknown) => {
          process.stderr.write(`portico dp worker ${process.pid}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
          process.exit(1);
        });
        return;
      case 'config':
        if (core && log) {
          const l = log;
          inTurn(() => applyWhole(l, msg.config));
        }
        return;
      case 'config-delta': {
        if (!core || !log) return;
        const l = log;
        const d = msg.delta;
        inTurn(() => {
          if (d.baseVersion !== heldVersion) {
            tell({ t: 'need-full', holding: heldVersion });
            return;
          }
          const resources = applyDelta(held, d);
          heldVersion = d.version;
          return apply(l, { version: d.version, hash: d.hash, resources, delta: { baseVersion: d.baseVersion, baseHash: d.baseHash, updated: d.changed, removed: d.removed } });
        });
        return;
      }
      case 'stats':
        tell({ t: 'stats', id: msg.id, inFlight: core?.proxy.inFlight() ?? 0, requests: core?.proxy.requests() ?? 0 });
        return;
      case 'metrics': {
        const id = msg.id;
        void (core ? core.metrics.snapshot() : Promise.resolve([])).then(
          (metrics) => tell({ t: 'metrics', id, metrics }),
          () => tell({ t: 'metrics', id, metrics: [] }),
        );
        return;
      }
      case 'drain':
        if (draining) return;
        draining = true;
        log?.info({ drain_ms: msg.drainMs, in_flight: core?.proxy.inFlight() ?? 0 }, 'worker draining');
        void (core ? core.close(msg.drainMs) : Promise.resolve()).finally(async () => {
          await rateLimits.close();
          process.exit(0);
        });
        return;
    }
  });
  tell({ t: 'ready' });
}
