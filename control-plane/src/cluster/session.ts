// One data-plane node's stream. Tracks what was last *sent* (the base of the
// next delta), the nonce an ACK/NACK must echo, and pushes at most once per
// tick: a burst of commits becomes one push of the newest version.
import type { ConfigPush, ControlPlaneMessage, DataPlaneMessage, ClusterServerStream, Ack, Nack, Telemetry } from '@portico/proto';
import type { SnapshotSource } from '../snapshot/index.js';
import type { Logger } from './logger.js';
import { nowSeconds, type NodeRecord, type RegisteredSession } from './registry.js';
import { deltaPush, fullPush, newNonce } from './wire.js';

export interface SessionEnd {
  code: number;
  details: string;
}

/** Where a session files the telemetry its node sends (the registry). */
export interface TelemetrySink {
  telemetry(session: RegisteredSession, t: Telemetry): void;
}

export class NodeSession implements RegisteredSession {
  private record!: NodeRecord;
  private sent: { version: number; hash: string } | null = null;
  private inFlight: { nonce: string; version: number; hash: string } | null = null;
  /** The node rejected a push or asked for a resync: deltas on top of what we sent would be wrong. */
  private needFull = false;
  private scheduled = false;
  private forceNext = false;
  private draining = false;
  private ended = false;

  constructor(
    private readonly call: ClusterServerStream,
    readonly nodeId: string,
    private readonly source: SnapshotSource,
    private readonly log: Logger,
    private readonly endStream: (session: NodeSession, end: SessionEnd | null) => void,
    private readonly replacedEnd: SessionEnd,
    private readonly sink: TelemetrySink,
  ) {
    call.on('drain', () => {
      this.draining = false;
      this.schedule();
    });
  }

  /** Answers hello: a delta (maybe empty) when the node's (version, hash) is one we know, else full. */
  start(record: NodeRecord, version: number, hash: string): void {
    this.record = record;
    const delta = this.source.deltaSince(version, hash);
    if (delta) this.send(deltaPush(delta, newNonce()));
    else this.send(fullPush(this.source.full(), newNonce()));
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
      if (!this.ended && !this.draining) this.pushLatest();
    });
  }

  replaced(): void {
    this.end(this.replacedEnd);
  }

  /** Ends the stream (with an error status, or OK when `end` is null). Idempotent. */
  end(end: SessionEnd | null): void {
    if (this.ended) return;
    this.ended = true;
    this.endStream(this, end);
  }

  /** The stream is already gone: stop pushing, touch nothing. */
  stop(): void {
    this.ended = true;
  }

  private pushLatest(): void {
    const cur = this.source.current();
    const force = this.forceNext;
    this.forceNext = false;
    if (!force && this.sent && this.sent.version === cur.version && this.sent.hash === cur.hash) return;
    if (this.needFull || !this.sent) {
      this.send(fullPush(this.source.full(), newNonce()));
      return;
    }
    const delta = this.source.deltaSince(this.sent.version, this.sent.hash);
    this.send(delta ? deltaPush(delta, newNonce()) : fullPush(this.source.full(), newNonce()));
  }

  private send(push: ConfigPush): void {
    if (this.ended) return;
    if (push.full) this.needFull = false;
    this.sent = { version: push.version, hash: push.hash };
    this.inFlight = { nonce: push.nonce, version: push.version, hash: push.hash };
    this.log.debug({ node_id: this.nodeId, config_version: push.version, full: push.full, resources: push.resources.length, removed: push.removed.length }, 'push');
    // protobufjs encodes the set oneof member; `kind` is only how decoded messages name it.
    const ok = this.call.write({ push } as unknown as ControlPlaneMessage);
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
