// The data plane's end of the config stream. Serves from the disk cache before
// the first connect, then follows the control plane: decodes every push (a
// packed one is inflated off the main thread, push-resources.ts), checks it
// against its hash, hands it to `apply` (compile + swap), ACKs or NACKs, and
// keeps the last good config through rejections and outages. The disk cache is
// written after the ACK, streamed. Reconnects forever.
// When given a health reporter it also reports the node's health view on the
// same stream (see health-sampler.ts), from a timer that never waits on config.
import * as grpc from '@grpc/grpc-js';
import { PorticoError, type DeltaHint, type Resource } from '@portico/shared';
import { clusterProto, READABLE_COMPRESSIONS, type ClusterStream, type ConfigPush, type ControlPlaneMessage, type DataPlaneMessage, type NodeInfo } from '@portico/proto';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.js';
import type { UpstreamHealthReport } from '../health/types.js';
import { ConfigSet } from './config-set.js';
import { CacheWriter } from './cache-writer.js';
import { loadCache } from './disk-cache.js';
import { ClusterClientErrors } from './errors.js';
import { HealthSampler } from './health-sampler.js';
import { silentLogger, type Logger } from './logger.js';
import { pushResources } from './push-resources.js';
import { LARGE_DELTA } from '../large-change.js';
import { collect, runInSlices, runToEnd, SLICE_BUDGET_MS, type Steps } from '../slices.js';

export interface AppliedSnapshot {
  version: number;
  hash: string;
  /** Iterable more than once; a view of the node's set, not a copy. */
  resources: Iterable<Resource>;
  /** Set when the config came as a delta on the one applied before (see compile's use of it). */
  delta?: DeltaHint;
}

export interface ClusterClientOptions {
  /** host:port of the control plane's cluster listener. */
  address: string;
  token: string;
  node: NodeInfo;
  cacheDir: string;
  /**
   * Compiles and swaps in a config; throws (or rejects) to refuse it: the node
   * then NACKs and keeps the old one. When it returns a promise the ACK waits
   * for it, and later pushes queue behind it (a primary fanning out to workers).
   */
  apply: (snap: AppliedSnapshot) => void | Promise<void>;
  log?: Logger;
  backoff?: BackoffOptions;
  /** HTTP/2 keepalive so a dead control plane is noticed. Defaults 15 s / 5 s. */
  keepalive?: { timeMs: number; timeoutMs: number };
  /** The node's health view; when set it is sampled every `telemetry.sampleMs` and reported when it changes. */
  healthReport?: () => UpstreamHealthReport[];
  /** Report timing: sample period and the heartbeat sent while nothing changes. Defaults 1 s / 10 s. */
  telemetry?: { sampleMs?: number; heartbeatMs?: number };
  /**
   * Least time between two disk-cache writes (ms, default 1000). A config
   * applied sooner is written when the interval ends, and only the newest of
   * those is: under 10 changes a second the node writes once a second, not ten
   * times. close() writes what is still pending.
   */
  cacheWriteIntervalMs?: number;
}

export interface ClusterClientState {
  connected: boolean;
  version: number;
  hash: string;
  lastError: string | null;
  /** Where the config being served came from. */
  source: 'none' | 'cache' | 'control-plane';
}

/** What answering a push needs once its resources are decoded. */
interface PushHead {
  version: number;
  nonce: string;
  hash: string;
}

export interface ClusterClient {
  state(): ClusterClientState;
  close(): Promise<void>;
}

export function startClusterClient(opts: ClusterClientOptions): ClusterClient {
  const log = opts.log ?? silentLogger;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const { Client } = clusterProto();
  let current = ConfigSet.EMPTY;
  let source: ClusterClientState['source'] = 'none';
  let connected = false;
  let lastError: string | null = null;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  /** `writable` is false while the stream's send buffer is full: telemetry waits, it never queues up. */
  let active: { client: grpc.Client; call: ClusterStream; writable: boolean } | null = null;
  const sampler = opts.healthReport ? new HealthSampler(opts.healthReport, opts.telemetry?.heartbeatMs ?? 10_000, log) : null;
  const cacheWriter = new CacheWriter({ dir: opts.cacheDir, intervalMs: opts.cacheWriteIntervalMs ?? 1000, log, current: () => current });

  // 1. Serve the cached config before anything touches the network.
  const cache = loadCache(opts.cacheDir);
  if (cache.ok) {
    const set = cache.set;
    try {
      const applied = opts.apply({ version: set.version, hash: set.hash, resources: set });
      if (applied instanceof Promise) applied.catch((err: unknown) => log.warn({ err, config_version: set.version }, 'cached config not applied everywhere'));
      current = set;
      cacheWriter.loaded(set, cache);
      source = 'cache';
      log.info({ config_version: set.version, resources: set.size }, 'serving cached config');
    } catch (err) {
      log.warn({ err, config_version: set.version }, 'cached config rejected by apply; ignoring the cache');
    }
  } else if (cache.reason !== 'missing') {
    log.warn({ reason: cache.reason, cache_dir: opts.cacheDir }, 'config cache ignored');
  }

  const send = (call: ClusterStream, msg: Partial<Record<'ack' | 'nack' | 'resync', unknown>>): void => {
    // protobufjs encodes the set oneof member; `kind` only names it on decode.
    try {
      call.write(msg as unknown as DataPlaneMessage);
    } catch (err) {
      // The stream ended while an apply was in flight; the next hello reports where we are.
      log.debug({ err }, 'could not answer a push on a closed stream');
    }
  };

  const onPush = async (call: ClusterStream, push: ConfigPush): Promise<void> => {
    connected = true;
    attempt = 0;
    const head: PushHead = { version: push.version, nonce: push.nonce, hash: push.hash };
    if (!push.full && push.base_version !== current.version) {
      log.info({ base_version: push.base_version, serving_version: current.version }, 'delta on another base; asking for a full snapshot');
      send(call, { resync: { reason: `delta base ${push.base_version} != serving version ${current.version}` } });
      return;
    }
    let next: ConfigSet;
    let delta: DeltaHint | undefined;
    try {
      const resources = await pushResources(push);
      // A large push is decoded and hashed in slices, as it is compiled (slices.ts): 10,000 resources held the thread ~0.5 s under load.
      const large = push.packed != null || push.resources.length + push.removed.length >= LARGE_DELTA;
      const run = <T>(steps: Steps<T>): T | Promise<T> => (large ? runInSlices(steps, SLICE_BUDGET_MS).then((r) => r.value) : runToEnd(steps));
      if (push.full) next = await run(ConfigSet.build(push.version, resources));
      else {
        delta = { baseVersion: current.version, baseHash: current.hash, updated: await run(collect(resources)), removed: push.removed };
        next = await run(current.deltaSteps(push.version, delta.updated, delta.removed));
      }
    } catch (err) {
      return reject(call, head, err);
    } finally {
      // Its resources are in the set now: compile and the workers' wait must not keep the packed bytes alive.
      push.packed = null;
    }
    if (next.hash !== push.hash) {
      if (push.full) return reject(call, head, new PorticoError(ClusterClientErrors.FULL_HASH_MISMATCH, `full snapshot ${push.version} does not match its hash`));
      log.warn({ config_version: push.version }, 'hash mismatch after delta; asking for a full snapshot');
      send(call, { resync: { reason: `hash mismatch after delta to ${push.version}` } });
      return;
    }
    if (next.version === current.version && next.hash === current.hash && source !== 'none') {
      // Already serving exactly this (e.g. the empty delta answering a cached hello).
      source = 'control-plane';
      send(call, { ack: { version: head.version, nonce: head.nonce } });
      return;
    }
    try {
      await opts.apply({ version: next.version, hash: next.hash, resources: next, ...(delta ? { delta } : {}) });
    } catch (err) {
      return reject(call, head, err);
    }
    accept(call, head, next, delta);
  };

  const accept = (call: ClusterStream, head: PushHead, next: ConfigSet, delta: DeltaHint | undefined): void => {
    current = next;
    source = 'control-plane';
    lastError = null;
    // The ACK goes out first; the cache write streams after it, off this path.
    send(call, { ack: { version: head.version, nonce: head.nonce } });
    cacheWriter.accepted(delta);
  };

  const reject = (call: ClusterStream, head: PushHead, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    lastError = `config ${head.version} rejected: ${message}`;
    log.warn({ config_version: head.version, serving_version: current.version, error: message }, 'config rejected');
    send(call, { nack: { version: head.version, nonce: head.nonce, error: message, serving_version: current.version } });
  };

  const connect = (): void => {
    timer = undefined;
    if (closed) return;
    const client = new Client(opts.address, grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': opts.keepalive?.timeMs ?? 15_000,
      'grpc.keepalive_timeout_ms': opts.keepalive?.timeoutMs ?? 5_000,
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
    });
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${opts.token}`);
    const call = client.Stream(md);
    const attemptState = { client, call, writable: true };
    active = attemptState;
    let over = false;
    sampler?.reset();
    call.on('drain', () => {
      attemptState.writable = true;
    });

    // Pushes are handled one at a time, in order, even when an apply is asynchronous.
    let pushes: Promise<void> = Promise.resolve();
    call.on('data', (msg: ControlPlaneMessage) => {
      if (over || msg.kind !== 'push') return;
      const push = msg.push;
      pushes = pushes.then(() => onPush(call, push)).catch((err: unknown) => log.error({ err }, 'config push handling failed'));
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (closed) return;
      if (err.code === grpc.status.UNAUTHENTICATED) {
        lastError = 'control plane rejected the cluster token (UNAUTHENTICATED)';
        log.error({ address: opts.address }, 'control plane rejected the cluster token; check PORTICO_CLUSTER_TOKEN');
      } else {
        lastError = `cluster stream: ${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`;
        log.warn({ address: opts.address, code: grpc.status[err.code] ?? err.code, details: err.details }, 'cluster stream failed');
      }
    });
    // 'status' arrives exactly once per call, whatever ended it.
    call.on('status', () => {
      if (over) return;
      over = true;
      connected = false;
      if (active === attemptState) active = null;
      client.close();
      if (closed) return;
      const delay = backoffDelay(attempt++, backoff);
      log.debug({ delay_ms: delay, attempt }, 'reconnecting to control plane');
      timer = setTimeout(connect, delay);
    });

    call.write({ hello: { node: opts.node, version: current.version, hash: current.hash, accept_packed: READABLE_COMPRESSIONS } } as unknown as DataPlaneMessage);
  };

  // Reports only once the control plane has answered this stream's hello, so it has a session to file them under.
  const telemetryTimer = sampler
    ? setInterval(() => {
        const a = active;
        if (!a || !connected || !a.writable) return;
        const msg = sampler.next(Date.now());
        if (msg) a.writable = a.call.write({ telemetry: msg } as unknown as DataPlaneMessage);
      }, opts.telemetry?.sampleMs ?? 1000)
    : undefined;
  telemetryTimer?.unref();

  connect();

  let closing: Promise<void> | undefined;
  return {
    state: () => ({ connected, version: current.version, hash: current.hash, lastError, source }),
    close: () =>
      (closing ??= (async () => {
        closed = true;
        if (timer) clearTimeout(timer);
        if (telemetryTimer) clearInterval(telemetryTimer);
        if (active) {
          active.call.cancel();
          active.client.close();
          active = null;
        }
        connected = false;
        await cacheWriter.flush();
      })()),
  };
}
