// Rate-limit counters shared by every worker of one node: the primary holds
// them (a LocalRateLimitStore) and workers ask it over the IPC channel. Every
// access-phase step is one `consume` round trip, atomic on the primary because
// the primary handles one message at a time, so `minute=5` admits exactly 5
// requests per node whichever worker takes them. `increment` and `retain` are
// sent without waiting: the channel is FIFO, so a later usage() sees them.
import type { RateLimitStore } from '../plugins/rate-limiting/store.js';
import type { RateLimitWindow } from '../plugins/rate-limiting/windows.js';

/** What both ends of a node:cluster / child_process IPC channel offer. */
export interface IpcChannel {
  send(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

type Op =
  | { op: 'usage'; p: string; k: string; w: readonly RateLimitWindow[] }
  | { op: 'consume'; p: string; k: string; w: readonly RateLimitWindow[]; l: readonly number[]; n: number }
  | { op: 'increment'; p: string; k: string; w: readonly RateLimitWindow[]; n: number }
  | { op: 'retain'; ids: string[] };

/** Worker → primary. `id` 0 means no answer is expected. */
export type RateLimitRequest = { t: 'rl'; id: number } & Op;
/** Primary → worker. */
export type RateLimitReply = { t: 'rl'; id: number; u?: number[]; e?: string };

export const isRateLimitRequest = (m: unknown): m is RateLimitRequest => typeof m === 'object' && m !== null && (m as { t?: unknown }).t === 'rl';

export interface IpcRateLimitStoreOptions {
  /** How long an answer may take before the request fails (the plugin's fault_tolerant decides). */
  readonly timeoutMs?: number;
}

/** The worker's end. */
export class IpcRateLimitStore implements RateLimitStore {
  readonly #channel: IpcChannel;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, { resolve: (u: number[]) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #nextId = 1;
  #closed = false;
  readonly #onMessage = (m: unknown): void => {
    if (!isRateLimitRequest(m)) return;
    const r = m as unknown as RateLimitReply;
    const p = this.#pending.get(r.id);
    if (p === undefined) return;
    this.#pending.delete(r.id);
    clearTimeout(p.timer);
    if (r.e !== undefined) p.reject(new Error(`rate-limit store: ${r.e}`));
    else p.resolve(r.u ?? []);
  };

  constructor(channel: IpcChannel, opts: IpcRateLimitStoreOptions = {}) {
    this.#channel = channel;
    this.#timeoutMs = opts.timeoutMs ?? 1_000;
    channel.on('message', this.#onMessage);
  }

  usage(pluginId: string, key: string, windows: readonly RateLimitWindow[]): Promise<readonly number[]> {
    return this.#ask({ op: 'usage', p: pluginId, k: key, w: windows });
  }

  consume(pluginId: string, key: string, windows: readonly RateLimitWindow[], limits: readonly number[], amount: number): Promise<readonly number[]> {
    return this.#ask({ op: 'consume', p: pluginId, k: key, w: windows, l: limits, n: amount });
  }

  increment(pluginId: string, key: string, windows: readonly RateLimitWindow[], amount: number): void {
    this.#tell({ op: 'increment', p: pluginId, k: key, w: windows, n: amount });
  }

  retain(pluginIds: ReadonlySet<string>): void {
    this.#tell({ op: 'retain', ids: [...pluginIds] });
  }

  /** Requests waiting for an answer (tests). */
  get pending(): number {
    return this.#pending.size;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#channel.off('message', this.#onMessage);
    this.failAll('store closed');
    return Promise.resolve();
  }

  /** Fails every waiting request, e.g. when the channel to the primary is gone. */
  failAll(reason: string): void {
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new Error(`rate-limit store: ${reason}`));
    }
  }

  #tell(op: Op): void {
    if (this.#closed) return;
    this.#channel.send({ t: 'rl', id: 0, ...op });
  }

  #ask(op: Op): Promise<number[]> {
    if (this.#closed) return Promise.reject(new Error('rate-limit store: closed'));
    const id = this.#nextId++;
    if (this.#nextId > 0x7fffffff) this.#nextId = 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`rate-limit store: no answer from the primary within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#channel.send({ t: 'rl', id, ...op });
      } catch (err) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
}

/**
 * The primary's end: answers one worker's request from `store`. Worker
 * `retain`s are ignored when `acceptRetain` is false: on a node the primary
 * retains after its own compile, and a slow worker's older plugin set must not
 * drop the counters of a plugin the newer config added.
 */
export function answerRateLimit(store: RateLimitStore, req: RateLimitRequest, reply: (r: RateLimitReply) => void, acceptRetain = true): void {
  try {
    switch (req.op) {
      case 'usage':
        return settle(req.id, store.usage(req.p, req.k, req.w), reply);
      case 'consume':
        return settle(req.id, store.consume(req.p, req.k, req.w, req.l, req.n), reply);
      case 'increment':
        void store.increment(req.p, req.k, req.w, req.n);
        return;
      case 'retain':
        if (acceptRetain) store.retain(new Set(req.ids));
        return;
    }
  } catch (err) {
    if (req.id !== 0) reply({ t: 'rl', id: req.id, e: err instanceof Error ? err.message : String(err) });
  }
}

function settle(id: number, u: readonly number[] | Promise<readonly number[]>, reply: (r: RateLimitReply) => void): void {
  // Copied at once: a local store reuses its result array.
  if (!(u instanceof Promise)) return reply({ t: 'rl', id, u: [...u] });
  u.then(
    (v) => reply({ t: 'rl', id, u: [...v] }),
    (err: unknown) => reply({ t: 'rl', id, e: err instanceof Error ? err.message : String(err) }),
  );
}
