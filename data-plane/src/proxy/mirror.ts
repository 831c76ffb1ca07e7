// Request mirroring (Envoy's request_mirror_policies): a copy of a share of a
// route's requests goes to a shadow service, fire-and-forget. Nothing of the
// copy reaches the client: not its status, not its latency, not its failure.
//
// - Bounded: at most `maxInFlight` copies at once; beyond that a copy is
//   dropped rather than queued.
// - Bodies are teed, never awaited: the client's body flows to the primary at
//   the primary's pace, and each chunk is also written to the copy's buffer.
//   If the shadow reads slower than the client sends and the buffer passes
//   `maxBufferedBytes`, the copy is aborted (dropped); the client is never
//   back-pressured by the shadow.
// - The copy is the request as sent to the primary (same method, headers,
//   path joined with the shadow service's path), with the shadow peer's Host
//   unless the route preserves the client's.
// - Its own connections (an undici Agent), so a slow shadow cannot occupy the
//   primary's pools.
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { CompiledMirror, Peer } from '../compile/types.js';
import { releasePeer } from './peer.js';
import { BodySource } from './body-source.js';

export interface MirrorOptions {
  /** Copies in flight at once, per data plane (default 256). */
  readonly maxInFlight?: number;
  /** How far a copy's body may lag behind the client's before the copy is dropped (default 256 KiB). */
  readonly maxBufferedBytes?: number;
  /** Connect timeout to shadows (ms, default 5000). */
  readonly connectTimeout?: number;
}

export interface MirrorStats {
  sent: number;
  /** Not sent, or aborted: in-flight bound reached, or the shadow fell behind on the body. */
  dropped: number;
  /** Sent, and failed (connection, timeout); the client never knew. */
  failed: number;
  /** The shadow answered (any status). */
  completed: number;
}

/** What the proxy hands over for one copy. */
export interface MirrorRequest {
  readonly mirror: CompiledMirror;
  readonly peer: Peer;
  readonly method: string;
  /** Path and query as the shadow should see them. */
  readonly path: string;
  /** Flat [name, value, …] list; the copy takes it as is (the caller passes its own array). */
  readonly headers: string[];
}

export class Mirrors {
  readonly stats: MirrorStats = { sent: 0, dropped: 0, failed: 0, completed: 0 };
  readonly #agent: Agent;
  readonly #maxInFlight: number;
  readonly #maxBuffered: number;
  #inFlight = 0;

  constructor(opts: MirrorOptions = {}) {
    this.#maxInFlight = opts.maxInFlight ?? 256;
    this.#maxBuffered = opts.maxBufferedBytes ?? 256 * 1024;
    if (!(this.#maxInFlight >= 1) || !(this.#maxBuffered >= 1)) throw new RangeError('maxInFlight and maxBufferedBytes must be ≥ 1');
    this.#agent = new Agent({ connect: { timeout: opts.connectTimeout ?? 5000 }, keepAliveTimeout: 4000 });
  }

  inFlight(): number {
    return this.#inFlight;
  }

  /** Whether this request is one of the `percentage` % to copy (one random draw). */
  static chosen(mirror: CompiledMirror): boolean {
    return mirror.percentage >= 100 || (mirror.percentage > 0 && Math.random() * 100 < mirror.percentage);
  }

  /**
   * Sends a copy with `body` (a buffer, or null for none). Returns false when
   * the copy was dropped at once.
   */
  send(m: MirrorRequest, body: Buffer | null): boolean {
    if (this.#inFlight >= this.#maxInFlight) {
      this.stats.dropped++;
      releasePeer(m.mirror.service, m.peer, false, 0);
      return false;
    }
    this.#dispatch(m, body);
    return true;
  }

  /**
   * Sends a copy whose body is teed from the client's as the primary reads it:
   * returns the BodySource to give the primary instead of a plain one, or a
   * plain one when the copy was dropped at once.
   */
  sendStreaming(m: MirrorRequest, req: IncomingMessage, writeTimeout: number): BodySource {
    if (this.#inFlight >= this.#maxInFlight) {
      this.stats.dropped++;
      releasePeer(m.mirror.service, m.peer, false, 0);
      return new BodySource(req, writeTimeout);
    }
    const copy = new PassThrough({ highWaterMark: this.#maxBuffered });
    this.#dispatch(m, copy);
    return new TeeBodySource(req, writeTimeout, copy, this.stats);
  }

  #dispatch(m: MirrorRequest, body: Buffer | PassThrough | null): void {
    this.#inFlight++;
    this.stats.sent++;
    const service = m.mirror.service;
    const opts: Dispatcher.RequestOptions = {
      origin: m.peer.origin,
      path: m.path,
      method: m.method as Dispatcher.HttpMethod,
      headers: m.headers,
      body,
      headersTimeout: service.readTimeout,
      bodyTimeout: service.readTimeout,
    };
    const started = performance.now();
    this.#agent.request(opts).then(
      (res) => {
        // Read and discard: the shadow's answer goes nowhere.
        res.body.resume();
        res.body.once('end', () => this.#done(m, true, started)).once('error', () => this.#done(m, false, started));
      },
      () => this.#done(m, false, started),
    );
  }

  #done(m: MirrorRequest, ok: boolean, started: number): void {
    // A balanced shadow service counts this copy in its balancer's in-flight numbers until now.
    releasePeer(m.mirror.service, m.peer, !ok, performance.now() - started);
    this.#inFlight--;
    if (ok) this.stats.completed++;
    else this.stats.failed++;
  }

  /** Aborts copies in flight and closes the shadows' connections (proxy shutdown). */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}

/** The primary's body, also written into a copy's buffer; the copy is cut off, never waited for. */
class TeeBodySource extends BodySource {
  #copy: PassThrough | null;
  readonly #stats: MirrorStats;

  constructor(req: IncomingMessage, writeTimeout: number, copy: PassThrough, stats: MirrorStats) {
    super(req, writeTimeout);
    this.#copy = copy;
    this.#stats = stats;
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    const copy = this.#copy;
    if (copy !== null) {
      if (chunk === null) {
        copy.end();
        this.#copy = null;
      } else if (!copy.write(chunk as Buffer)) {
        // The shadow is a whole buffer behind the client: drop the copy.
        this.#drop();
      }
    }
    return super.push(chunk, encoding);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    // The primary gave up on the body (failed, client gone): a partial copy must not look complete.
    if (this.#copy !== null) this.#drop();
    super._destroy(err, cb);
  }

  #drop(): void {
    this.#copy?.destroy(new Error('mirror dropped: shadow fell behind or the request was abandoned'));
    this.#copy = null;
    this.#stats.dropped++;
  }
}
