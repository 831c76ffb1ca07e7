// The request body as undici reads it: a Readable in front of the client's
// IncomingMessage rather than the message itself, for three reasons.
//   1. undici destroys a body stream when the upstream fails; destroying the
//      IncomingMessage would kill the client socket before we can answer 502.
//   2. `started` tells the retry logic whether any byte was taken from the
//      client: a body must never be sent twice, so only an untouched body
//      allows another attempt.
//   3. write_timeout: undici stops reading while the upstream does not drain
//      its socket; if that stall lasts writeTimeout ms the request fails
//      (nginx proxy_send_timeout: time between two successive writes).
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export class WriteTimeoutError extends Error {
  readonly code = 'PORTICO_UPSTREAM_WRITE_TIMEOUT';
  constructor() {
    super('upstream did not accept request body in time');
  }
}

const kSource = Symbol('portico.bodySource');
type WithSource = IncomingMessage & { [kSource]?: BodySource | undefined };

// Module-level listeners with `this` = the IncomingMessage: no closures per request.
function onReqData(this: WithSource, chunk: Buffer): void {
  const src = this[kSource];
  if (src === undefined) return;
  if (!src.push(chunk)) {
    this.pause();
    src.blocked();
  }
}
function onReqEnd(this: WithSource): void {
  this[kSource]?.push(null);
}
function onReqAborted(this: WithSource): void {
  this[kSource]?.destroy(new Error('client aborted request body'));
}

export class BodySource extends Readable {
  /** True once undici asked for the first byte. */
  started = false;
  readonly #req: WithSource;
  readonly #writeTimeout: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(req: IncomingMessage, writeTimeout: number) {
    super({ highWaterMark: 64 * 1024 });
    this.#req = req as WithSource;
    this.#writeTimeout = writeTimeout;
  }

  override _read(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (!this.started) {
      this.started = true;
      const req = this.#req;
      req[kSource] = this;
      req.on('data', onReqData);
      req.once('end', onReqEnd);
      req.once('aborted', onReqAborted);
      req.once('error', onReqAborted);
    } else {
      this.#req.resume();
    }
  }

  /** Called when our buffer is full: undici (hence the upstream) is not taking data. */
  blocked(): void {
    if (this.#writeTimeout <= 0 || this.#timer !== null) return;
    this.#timer = setTimeout(onWriteTimeout, this.#writeTimeout, this);
    this.#timer.unref();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    const req = this.#req;
    if (req[kSource] === this) {
      // Detach without destroying the client's message: the gateway still
      // owes the client an answer on that socket.
      req[kSource] = undefined;
      req.off('data', onReqData);
      req.off('end', onReqEnd);
      req.off('aborted', onReqAborted);
      req.off('error', onReqAborted);
    }
    cb(err);
  }
}

function onWriteTimeout(src: BodySource): void {
  src.destroy(new WriteTimeoutError());
}
