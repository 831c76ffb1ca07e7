// The primary's book of its workers: what each has applied, and who waits for
// a config version to be live on every one of them. Pure bookkeeping (no
// processes), so the fan-out rule is unit-tested on its own.
import type { WorkerStatus } from '../status/status-server.js';

interface Member {
  id: number;
  pid: number;
  state: WorkerStatus['state'];
  version: number | null;
  hash: string | null;
  restarts: number;
}

interface Waiter {
  version: number;
  resolve: (allApplied: boolean) => void;
  timer: NodeJS.Timeout;
}

export class WorkerFleet {
  readonly #members = new Map<number, Member>();
  #waiters: Waiter[] = [];

  add(id: number, pid: number, restarts: number): void {
    this.#members.set(id, { id, pid, state: 'starting', version: null, hash: null, restarts });
  }

  listening(id: number): void {
    const m = this.#members.get(id);
    if (m && m.state === 'starting') m.state = 'listening';
  }

  applied(id: number, version: number, hash: string): void {
    const m = this.#members.get(id);
    if (!m) return;
    // Configs reach a worker in order over one channel; never step back.
    if (m.version === null || version >= m.version) {
      m.version = version;
      m.hash = hash;
    }
    this.#settle();
  }

  draining(id: number): void {
    const m = this.#members.get(id);
    if (m) m.state = 'draining';
    this.#settle();
  }

  remove(id: number): void {
    this.#members.delete(id);
    this.#settle();
  }

  get size(): number {
    return this.#members.size;
  }

  list(): readonly Readonly<Member>[] {
    return [...this.#members.values()];
  }

  /** True when every worker that is not draining has applied `version` or a later one (vacuously true with none). */
  allApplied(version: number): boolean {
    for (const m of this.#members.values()) if (m.state !== 'draining' && (m.version === null || m.version < version)) return false;
    return true;
  }

  /**
   * Resolves true once every worker that is not draining has applied
   * `version` (a worker that exits stops counting; one forked meanwhile gets
   * the config in its init and counts), or false after `timeoutMs`.
   */
  whenApplied(version: number, timeoutMs: number): Promise<boolean> {
    if (this.allApplied(version)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = {
        version,
        resolve,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((x) => x !== w);
          resolve(false);
        }, timeoutMs),
      };
      this.#waiters.push(w);
    });
  }

  /** Resolves every waiter at once (shutdown). */
  releaseAll(): void {
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.#waiters = [];
  }

  #settle(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!this.allApplied(w.version)) return true;
      clearTimeout(w.timer);
      w.resolve(true);
      return false;
    });
  }
}
