// One data-plane node's stream. Tracks what was last *sent* (the base of the
// next delta), the nonce an ACK/NACK must echo, and pushes at most once per
// tick: a burst of commits becomes one push of the newest version.
//
// A push whose resources are large (a full snapshot of a big config, a big
// delta) goes out packed — encoded and compressed once, shared by every
// stream — when the node accepted packed pushes in its hello, and only within
// the fan-out budget (fan-out.ts). Small pushes are written at once, as they
// always were, so a one-route change never waits behind anyone's snapshot.
import type { Ack, ClusterServerStream, Compression, ControlPlaneMessage, DataPlaneMessage, Nack, PackedResources, Telemetry } from '@portico/proto';
import { pickCompression } from '@portico/proto';
import { resourceBytes, type PackedSnapshots, type SnapshotSource } from '../snapshot/index.js';
import type { FanOutLimiter } from './fan-out.js';
import type { Logger } from './logger.js';
import { nowSeconds, type NodeRecord, type RegisteredSession } from './registry.js';
import { deltaOutgoing, fullOutgoing, newNonce, toPush, type Outgoing } from './wire.js';

export interface SessionEnd {
  code: number;
  details: string;
}

/** Where a session files the telemetry its node sends (the registry). */
export interface TelemetrySink {
  telemetry(session: RegisteredSession, t: Telemetry): void;
}

/** What every session of one server shares for large pushes. */
export interface Delivery {
  packs: PackedSnapshots;
  fanOut: FanOutLimiter;
  /** Resources of at least this many bytes make a push large. */
  largeBytes: number;
}

/** Roughly the bytes of a delta's removals on the wire (a deletion of thousands is large too). */
const refBytes = (refs: readonly { type: string; id: string }[]): number => refs.length * 64;

export class NodeSession implements RegisteredSession {
  private record!: NodeRecord;
  /** How this node reads packed resources; null: it lists them (a node built before packing). */
  private compression: Compression | null = null;
  private sent: { version: number; hash: string } | null = null;
  private inFlight: { nonce: string; version: number; hash: string } | null = null;
  /** The node rejected a push or asked for a resync: deltas on top of what we sent would be wrong. */
  private needFull = false;
  private scheduled = false;
  private forceNext = false;
  private draining = false;
  private ended = false;
  /** A large push is being packed or waits for budget; calling this gives it up. Nothing else is sent meanwhile. */
  private pendingLarge: (() => void) | null = null;
  /** Gives back the fan-out budget of a large push gRPC has not finished writing. */
  private writing: (() => void) | null = null;

  constructor(
    private readonly call: ClusterServerStream,
    readonly nodeId: string,
    private readonly source: SnapshotSource,
    private readonly log: Logger,
    private readonly endStream: (session: NodeSession, end: SessionEnd | null) => void,
    private readonly replacedEnd: SessionEnd,
    private readonly sink: TelemetrySink,
    private readonly delivery: Delivery,
  ) {
    call.on('drain', () => {
      this.draining = false;
      this.schedule();
    });
  }

  /** Answers hello: a delta (maybe empty) when the node's (version, hash) is one we know, else full. */
  start(record: NodeRecord, version: number, hash: string, acceptPacked: readonly string[] = []): void {
    this.record = record;
    this.compression = pickCompression(acceptPacked);
    const delta = this.source.deltaSince(version, hash);
    this.send(delta ? deltaOutgoing(delta) : fullOutgoing(this.source.full()));
  }

  handle(msg: DataPlaneMessage): 'ok' | 'protocol-error' {
    this.record.last_seen = nowSeconds();
    // A kind this build does not know decodes without one (a newer node's): ignored, so nodes may upgrade first.
    if ((msg as { kind?: string }).kind === undefined) return 'ok';
    switch (msg.kind) {
      case 'ack':
        this.onAck(msg.ack);
        return 'ok';
      case 'nack':
        this.onNack(msg.nack);
        return 'ok';
      case 'telemetry':
        this.sink.telemetry(this, msg.telemetry);
        return 'ok';
      case 'resync':
        this.log.info({ node_id: this.nodeId, reason: msg.resync.reason }, 'node asked for a full snapshot');
        this.needFull = true;
        this.forceNext = true;
        this.schedule();
        return 'ok';
      default:
        return 'protocol-error';
    }
  }

  /** Coalesces: however many commits land in this tick, one push follows. */
  schedule(): void {
    if (this.scheduled || this.ended) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.ended && !this.draining && !this.pendingLarge) this.pushLatest();
    });
  }

  replaced(): void {
    this.end(this.replacedEnd);
  }

  /** Ends the stream (with an error status, or OK when `end` is null). Idempotent. */
  end(end: SessionEnd | null): void {
    if (this.ended) return;
    this.stop();
    this.endStream(this, end);
  }

  /** The stream is already gone: stop pushing, give back any fan-out budget, touch nothing. */
  stop(): void {
    this.ended = true;
    this.pendingLarge?.();
    this.pendingLarge = null;
    this.writing?.();
    this.writing = null;
  }

  private pushLatest(): void {
    const cur = this.source.current();
    if (!this.forceNext && this.sent && this.sent.version === cur.version && this.sent.hash === cur.hash) return;
    const delta = this.needFull || !this.sent ? null : this.source.deltaSince(this.sent.version, this.sent.hash);
    this.send(delta ? deltaOutgoing(delta) : fullOutgoing(this.source.full()));
  }

  private send(o: Outgoing): void {
    if (this.ended) return;
    if (resourceBytes(o.resources) + refBytes(o.removed) < this.delivery.largeBytes) this.write(o, null, null);
    else this.sendLarge(o);
  }

  /** Packs (or finds packed) `o`'s resources, waits for fan-out budget, writes. */
  private sendLarge(o: Outgoing): void {
    let gaveUp = false;
    let cancelBudget: (() => void) | null = null;
    this.pendingLarge = () => {
      gaveUp = true;
      cancelBudget?.();
    };
    const compression = o.resources.length > 0 ? this.compression : null;
    const packed: Promise<PackedResources | null> = compression
      ? this.delivery.packs.get(o, compression).catch((err: unknown) => {
          this.log.error({ err, node_id: this.nodeId, config_version: o.version }, 'could not pack a push; sending its resources listed');
          return null;
        })
      : Promise.resolve(null);
    void packed.then((p) => {
      if (gaveUp) return;
      // What gRPC will buffer for this stream: the packed bytes or the listed resources, and the removals.
      const bytes = (p ? p.data.length : resourceBytes(o.resources)) + refBytes(o.removed);
      cancelBudget = this.delivery.fanOut.acquire(bytes, (done) => {
        if (gaveUp) return done();
        this.pendingLarge = null;
        this.writing = done;
        this.write(o, p, () => {
          if (this.writing === done) this.writing = null;
          done();
        });
        // Whatever was committed while this push waited follows it (as a delta).
        this.schedule();
      });
    });
  }

  private write(o: Outgoing, packed: PackedResources | null, written: (() => void) | null): void {
    const push = toPush(o, newNonce(), packed);
    // A full snapshot answers any resync or NACK that came before it.
    if (o.full) {
      this.needFull = false;
      this.forceNext = false;
    }
    this.sent = { version: push.version, hash: push.hash };
    this.inFlight = { nonce: push.nonce, version: push.version, hash: push.hash };
    this.log.debug({ node_id: this.nodeId, config_version: push.version, full: push.full, resources: packed ? packed.count : push.resources.length, packed_bytes: packed?.data.length, removed: push.removed.length }, 'push');
    // protobufjs encodes the set oneof member; `kind` is only how decoded messages name it.
    const msg = { push } as unknown as ControlPlaneMessage;
    // The callback runs once gRPC has handed the serialized bytes to the socket.
    const ok = written ? this.call.write(msg, () => written()) : this.call.write(msg);
    // A slow node: stop pushing until its buffer drains, then send only the newest version.
    if (!ok) this.draining = true;
  }

  private onAck(ack: Ack): void {
    const pending = this.inFlight;
    if (!pending || ack.nonce !== pending.nonce) return; // answers an older push: its status is stale
    this.record.config_version = pending.version;
    this.record.config_hash = pending.hash;
    this.record.sync_status = 'normal';
  }

  private onNack(nack: Nack): void {
    const pending = this.inFlight;
    if (!pending || nack.nonce !== pending.nonce) return;
    // The node's compile error; operators need it here and in the view.
    this.log.warn({ node_id: this.nodeId, config_version: pending.version, serving_version: nack.serving_version, error: nack.error }, 'node rejected config');
    this.record.last_error = nack.error;
    this.record.last_error_version = pending.version;
    this.record.sync_status = 'config_rejected';
    this.needFull = true;
  }
}
