// When and how the node's config reaches its disk cache. Writing costs the
// node more than applying a small delta, so under churn it happens at most
// once per interval and takes whatever is newest then. It appends the
// changes since the last write to the journal when they can be told that way
// (every config since was a delta on the one before), and writes config.cache
// whole otherwise: after a full push, a failed write, a journal that did not
// replay cleanly, or once the journal outgrows a quarter of the cache (so a
// restart replays little and the files stay small).
import { resourceKey, type Resource } from '@portico/shared';
import type { ConfigSet } from './config-set.js';
import { writeCache, type CacheFiles } from './disk-cache.js';
import { appendJournal, type RemovedRef } from './disk-journal.js';
import type { Logger } from './logger.js';

/** The journal may grow to a quarter of the cache's raw size, and to this much however small the cache. */
const MIN_JOURNAL_LIMIT = 256 * 1024;

type Change = { removed: false; resource: Resource } | { removed: true; ref: RemovedRef };

export class CacheWriter {
  readonly #dir: string;
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #current: () => ConfigSet;
  /** What the cache and its journal hold together; null when unknown (the next write is whole). */
  #onDisk: ConfigSet | null = null;
  /** Changes from #onDisk to the newest config, last one per resource; null when they cannot be told as a delta. */
  #changes: Map<string, Change> | null = null;
  #baseRawSize = 0;
  #journalBytes = 0;
  #queue: Promise<void> = Promise.resolve();
  #last = Number.NEGATIVE_INFINITY;
  /** A write waiting for the interval to end. */
  #timer: NodeJS.Timeout | undefined;

  constructor(o: { dir: string; intervalMs: number; log: Logger; current: () => ConfigSet }) {
    this.#dir = o.dir;
    this.#intervalMs = o.intervalMs;
    this.#log = o.log;
    this.#current = o.current;
  }

  /** The config loaded from disk at start-up is what the disk holds. */
  loaded(set: ConfigSet, files: CacheFiles): void {
    // A journal with anything after its last good record cannot be appended to: start over at the next write.
    if (!files.journalClean || files.baseRawSize === 0) return;
    this.#onDisk = set;
    this.#changes = new Map();
    this.#baseRawSize = files.baseRawSize;
    this.#journalBytes = files.journalBytes;
  }

  /** A config was accepted: `delta` when it is the previous one with these changes, none for a whole snapshot. */
  accepted(delta: { updated: Iterable<Resource>; removed: Iterable<RemovedRef> } | undefined): void {
    const changes = this.#changes;
    if (delta === undefined || changes === null) this.#changes = null;
    else {
      for (const r of delta.updated) changes.set(resourceKey(r.type, r.id), { removed: false, resource: r });
      for (const ref of delta.removed) changes.set(resourceKey(ref.type, ref.id), { removed: true, ref: { type: ref.type, id: ref.id } });
    }
    this.#schedule();
  }

  /** Writes what is pending now (the node is stopping) and waits for every write. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#write();
    }
    await this.#queue;
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const wait = this.#last + this.#intervalMs - performance.now();
    if (wait <= 0) return this.#write();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#write();
    }, wait);
    this.#timer.unref();
  }

  #write(): void {
    this.#queue = this.#queue.then(async () => {
      // The newest by the time this write runs: older queued writes collapse into it.
      const set = this.#current();
      const onDisk = this.#onDisk;
      if (onDisk !== null && onDisk.version === set.version && onDisk.hash === set.hash) return;
      const changes = this.#changes;
      // From here on, changes count from `set`.
      this.#changes = new Map();
      this.#last = performance.now();
      const limit = Math.max(MIN_JOURNAL_LIMIT, this.#baseRawSize / 4);
      try {
        const record = onDisk === null || changes === null ? null : asRecord(changes, limit - this.#journalBytes);
        if (onDisk !== null && record !== null) {
          const { updated, removed } = record;
          this.#journalBytes += await appendJournal(this.#dir, { base_version: onDisk.version, base_hash: onDisk.hash, version: set.version, hash: set.hash, updated, removed });
        } else {
          // A large change is cheaper to load as part of the cache: it is written whole as well.
          // (writeCache removes the journal: its records applied to the cache this replaces)
          this.#baseRawSize = (await writeCache(this.#dir, { version: set.version, hash: set.hash, resources: set.values() })).rawSize;
          this.#journalBytes = 0;
        }
        this.#onDisk = set;
      } catch (err) {
        // Whatever half of it reached the disk, the next write starts over with the whole config.
        this.#onDisk = null;
        this.#changes = null;
        this.#log.error({ err, cache_dir: this.#dir }, 'could not write config cache');
      }
    });
  }
}

/** The changes as one record's lists, or null when their bodies alone would take more than `room` bytes. */
function asRecord(changes: ReadonlyMap<string, Change>, room: number): { updated: Resource[]; removed: RemovedRef[] } | null {
  const updated: Resource[] = [];
  const removed: RemovedRef[] = [];
  let bytes = 0;
  for (const c of changes.values()) {
    if (c.removed) removed.push(c.ref);
    else {
      updated.push(c.resource);
      bytes += c.resource.body.length;
      if (bytes > room) return null;
    }
  }
  return { updated, removed };
}
