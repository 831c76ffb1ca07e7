// Target names resolved off the request path. One entry per name, shared by
// every upstream (and every config generation) that balances over it: it
// resolves when first watched, re-resolves when its TTL runs out (clamped to
// [minTtlMs, maxTtlMs]; answers without a TTL are kept defaultTtlMs; a failed
// query is retried after errorRetryMs), and tells its watchers when the
// addresses change. Watchers are held weakly: an entry whose watchers were all
// collected (their configs replaced) stops at its next refresh — nothing has
// to remember to unwatch. Timers never keep the process alive.
import { errorCode, NAME_ABSENT, resolveName, type ResolveFn } from './resolve.js';

export type DnsState = 'pending' | 'resolved' | 'error';

export interface DnsWatcher {
  dnsChanged(entry: DnsEntry): void;
}

export interface DnsEntry {
  readonly host: string;
  /** pending: never answered yet; error: the last query failed (see `error`). */
  readonly state: DnsState;
  /**
   * What to dial. A name that does not exist (ENOTFOUND/ENODATA) has none; a
   * query that failed otherwise (timeout, SERVFAIL) keeps the last answer,
   * as Envoy keeps its hosts, while the entry reports the error.
   */
  readonly addresses: readonly string[];
  /** Node's error code of the last failed query, null after a success. */
  readonly error: string | null;
}

export interface DnsRegistryOptions {
  readonly resolve?: ResolveFn;
  readonly minTtlMs?: number;
  readonly maxTtlMs?: number;
  readonly defaultTtlMs?: number;
  readonly errorRetryMs?: number;
  /** Runs `fn` after `ms` (injectable for tests); default an unref'd setTimeout. */
  readonly schedule?: (fn: () => void, ms: number) => void;
}

const defaultSchedule = (fn: () => void, ms: number): void => {
  setTimeout(fn, ms).unref();
};

class Entry implements DnsEntry {
  state: DnsState = 'pending';
  addresses: readonly string[] = [];
  error: string | null = null;
  readonly watchers = new Set<WeakRef<DnsWatcher>>();
  running: Promise<void> | null = null;
  constructor(readonly host: string) {}
}

export class DnsRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #resolve: ResolveFn;
  readonly #min: number;
  readonly #max: number;
  readonly #default: number;
  readonly #errorRetry: number;
  readonly #schedule: (fn: () => void, ms: number) => void;

  constructor(o: DnsRegistryOptions = {}) {
    this.#resolve = o.resolve ?? resolveName;
    this.#min = o.minTtlMs ?? 1_000;
    this.#max = Math.max(this.#min, o.maxTtlMs ?? 300_000);
    this.#default = o.defaultTtlMs ?? 30_000;
    this.#errorRetry = o.errorRetryMs ?? 5_000;
    this.#schedule = o.schedule ?? defaultSchedule;
    for (const [name, v] of [['minTtlMs', this.#min], ['maxTtlMs', this.#max], ['defaultTtlMs', this.#default], ['errorRetryMs', this.#errorRetry]] as const) {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number of ms`);
    }
  }

  /** The entry for `host`, resolving it if nobody watched it yet; `watcher` hears of every change. */
  watch(host: string, watcher: DnsWatcher): DnsEntry {
    let entry = this.#entries.get(host);
    if (entry === undefined) {
      entry = new Entry(host);
      this.#entries.set(host, entry);
      entry.watchers.add(new WeakRef(watcher));
      void this.#refresh(entry);
    } else entry.watchers.add(new WeakRef(watcher));
    return entry;
  }

  /** Resolves `host` now (tests, or an operator's "re-resolve"); resolves when the answer is applied. */
  refresh(host: string): Promise<void> {
    const entry = this.#entries.get(host);
    return entry === undefined ? Promise.resolve() : this.#refresh(entry);
  }

  /** Names being kept resolved (status and tests). */
  get size(): number {
    return this.#entries.size;
  }

  /** The delay before re-resolving after an answer with this TTL (null: none given). */
  delayFor(ttlMs: number | null): number {
    return Math.min(this.#max, Math.max(this.#min, ttlMs ?? this.#default));
  }

  #refresh(entry: Entry): Promise<void> {
    if (entry.running !== null) return entry.running;
    const run = this.#resolve(entry.host).then(
      (r) => {
        const changed = entry.state !== 'resolved' || !sameList(entry.addresses, r.addresses);
        entry.state = 'resolved';
        entry.error = null;
        entry.addresses = Object.freeze([...r.addresses]);
        return { changed, delay: this.delayFor(r.ttlMs) };
      },
      (err: unknown) => {
        const code = errorCode(err);
        const changed = entry.state !== 'error' || entry.error !== code;
        entry.state = 'error';
        entry.error = code;
        if (NAME_ABSENT.has(code) && entry.addresses.length > 0) entry.addresses = Object.freeze([]);
        return { changed, delay: this.#errorRetry };
      },
    );
    entry.running = run.then(({ changed, delay }) => {
      entry.running = null;
      if (changed) this.#notify(entry);
      this.#schedule(() => this.#tick(entry), delay);
    });
    return entry.running;
  }

  #tick(entry: Entry): void {
    if (this.#live(entry)) void this.#refresh(entry);
    else if (this.#entries.get(entry.host) === entry) this.#entries.delete(entry.host);
  }

  #live(entry: Entry): boolean {
    for (const ref of entry.watchers) if (ref.deref() === undefined) entry.watchers.delete(ref);
    return entry.watchers.size > 0;
  }

  #notify(entry: Entry): void {
    for (const ref of entry.watchers) {
      const w = ref.deref();
      if (w === undefined) entry.watchers.delete(ref);
      else w.dnsChanged(entry);
    }
  }
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** The process's registry: compile uses it unless given another. */
export const defaultDnsRegistry = new DnsRegistry();
