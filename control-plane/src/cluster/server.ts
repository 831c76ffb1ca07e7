// The cluster gRPC server: authenticates each stream, turns its first message
// (hello) into a NodeSession, fans store changes out to every session, and
// keeps the per-node status the admin API shows.
import * as grpc from '@grpc/grpc-js';
import { PorticoError } from '@portico/shared';
import { clusterProto, type ClusterServerStream, type DataPlaneMessage } from '@portico/proto';
import { PackedSnapshots, type SnapshotSource } from '../snapshot/index.js';
import { bearerChecker } from './auth.js';
import { ClusterErrors } from './errors.js';
import { FanOutLimiter } from './fan-out.js';
import { silentLogger, type Logger } from './logger.js';
import { NodeRegistry } from './registry.js';
import { NodeSession, type Delivery, type SessionEnd } from './session.js';
import type { ClusterView } from './types.js';
import { peerIp } from './wire.js';

export interface ClusterServerOptions {
  /** host:port; port 0 picks a free one. */
  listen: string;
  /** Shared secret every data plane presents as `authorization: Bearer <token>`. */
  token: string;
  source: SnapshotSource;
  log?: Logger;
  /** How long a new stream may take to say hello. Default 10 s. */
  helloTimeoutMs?: number;
  /** HTTP/2 keepalive pings so dead peers are noticed. Defaults 20 s / 10 s. */
  keepalive?: { timeMs: number; timeoutMs: number };
  /** How long close() waits for streams to finish before forcing. Default 1 s. */
  shutdownGraceMs?: number;
  /** Large pushes (session.ts, fan-out.ts). Tests pass their own limiter or cache to watch them. */
  delivery?: DeliveryOptions;
}

export interface DeliveryOptions {
  /** Resources of at least this many bytes make a push large: packed and budgeted. Default 64 KiB. */
  largeBytes?: number;
  /** Bytes of large pushes in flight at once, over all streams. Default 8 MiB. */
  maxBytes?: number;
  /** How long one large push may hold its share before it is released anyway. Default 30 s. */
  holdMs?: number;
  fanOut?: FanOutLimiter;
  packs?: PackedSnapshots;
}

export interface ClusterServer {
  port: number;
  view: ClusterView;
  close(): Promise<void>;
}

export async function startClusterServer(opts: ClusterServerOptions): Promise<ClusterServer> {
  // Checked before anything is started, so a bad address leaks nothing.
  if (!/^.+:\d+$/.test(opts.listen)) throw new PorticoError(ClusterErrors.INVALID_LISTEN, `cluster listen address must be host:port, got '${opts.listen}'`);
  const log = opts.log ?? silentLogger;
  const checkToken = bearerChecker(opts.token);
  const registry = new NodeRegistry();
  const live = new Set<NodeSession>();
  /** Streams that have not said hello yet, so close() can end them too. */
  const pending = new Set<ClusterServerStream>();
  const helloTimeoutMs = opts.helloTimeoutMs ?? 10_000;
  let closing = false;
  const d = opts.delivery ?? {};
  const delivery: Delivery = {
    largeBytes: d.largeBytes ?? 64 * 1024,
    packs: d.packs ?? new PackedSnapshots(),
    fanOut:
      d.fanOut ??
      new FanOutLimiter({
        maxBytes: d.maxBytes ?? 8 * 1024 * 1024,
        holdMs: d.holdMs ?? 30_000,
        onExpired: () => log.warn({ hold_ms: d.holdMs ?? 30_000 }, 'a large push was not written in time; releasing its share of the fan-out budget'),
      }),
  };

  const endCall = (call: ClusterServerStream, end: SessionEnd | null): void => {
    try {
      // The duplex's own 'error' handler turns this into the stream's status and ends it.
      if (end) call.emit('error', end);
      else call.end();
    } catch {
      // the stream is already gone
    }
  };
  const status = (code: grpc.status, entry: { message: string }): SessionEnd => ({ code, details: entry.message });

  const handleStream = (call: ClusterServerStream): void => {
    const ip = peerIp(call.getPeer());
    // Errors on the call (peer reset, our own emit above) must never crash the process.
    call.on('error', () => undefined);
    if (closing) return endCall(call, status(grpc.status.UNAVAILABLE, ClusterErrors.SHUTTING_DOWN));
    if (!checkToken(call.metadata)) {
      log.warn({ peer_ip: ip }, 'cluster stream rejected: missing or invalid token');
      return endCall(call, status(grpc.status.UNAUTHENTICATED, ClusterErrors.UNAUTHENTICATED));
    }
    pending.add(call);
    let session: NodeSession | null = null;
    const helloTimer = setTimeout(() => {
      log.warn({ peer_ip: ip }, 'cluster stream closed: no hello');
      endCall(call, status(grpc.status.DEADLINE_EXCEEDED, ClusterErrors.HELLO_TIMEOUT));
    }, helloTimeoutMs);
    helloTimer.unref();

    const finish = (): void => {
      clearTimeout(helloTimer);
      pending.delete(call);
      if (!session) return;
      const s = session;
      session = null;
      live.delete(s);
      s.stop();
      registry.detach(s);
      log.info({ node_id: s.nodeId, peer_ip: ip }, 'data plane disconnected');
    };
    call.on('cancelled', finish);
    call.on('close', finish);
    call.on('finish', finish);
    // The node half-closed: it will send nothing more, so end our side too.
    call.on('end', () => {
      endCall(call, null);
      finish();
    });

    call.on('data', (msg: DataPlaneMessage) => {
      if (!session) {
        if (msg.kind !== 'hello' || !msg.hello.node?.id) {
          log.warn({ peer_ip: ip, kind: msg.kind }, 'cluster stream closed: first message was not hello');
          clearTimeout(helloTimer);
          return endCall(call, status(grpc.status.INVALID_ARGUMENT, ClusterErrors.HELLO_REQUIRED));
        }
        clearTimeout(helloTimer);
        pending.delete(call);
        const { node, version, hash } = msg.hello;
        const s = new NodeSession(call, node.id, opts.source, log, (_s, end) => endCall(call, end), status(grpc.status.ABORTED, ClusterErrors.REPLACED), registry, delivery);
        session = s;
        live.add(s);
        log.info({ node_id: node.id, hostname: node.hostname, peer_ip: ip, software_version: node.software_version, config_version: version }, 'data plane connected');
        s.start(registry.attach(s, node, ip), version, hash, msg.hello.accept_packed ?? []);
        return;
      }
      if (session.handle(msg) === 'protocol-error') {
        log.warn({ node_id: session.nodeId, kind: msg.kind }, 'cluster stream closed: unexpected message');
        session.end(status(grpc.status.INVALID_ARGUMENT, ClusterErrors.PROTOCOL));
      }
    });
  };

  const unsubscribe = opts.source.onChange(() => {
    for (const s of live) s.schedule();
  });

  const server = new grpc.Server({
    'grpc.keepalive_time_ms': opts.keepalive?.timeMs ?? 20_000,
    'grpc.keepalive_timeout_ms': opts.keepalive?.timeoutMs ?? 10_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 256 * 1024 * 1024,
  });
  server.addService(clusterProto().service, { Stream: handleStream });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(opts.listen, grpc.ServerCredentials.createInsecure(), (err, p) => {
      if (err) reject(new PorticoError(ClusterErrors.BIND_FAILED, `cluster server could not bind ${opts.listen}: ${err.message}`, undefined, { cause: err }));
      else resolve(p);
    });
  });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      closing = true;
      unsubscribe();
      // UNAVAILABLE tells nodes to reconnect (to us after a restart, or a peer).
      const bye = status(grpc.status.UNAVAILABLE, ClusterErrors.SHUTTING_DOWN);
      for (const s of [...live]) s.end(bye);
      for (const call of [...pending]) endCall(call, bye);
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, opts.shutdownGraceMs ?? 1000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    }));

  return { port, view: registry, close };
}
