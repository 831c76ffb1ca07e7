// The last applied config on disk, so a node that restarts while the control
// plane is down still serves (invariant 2). <cacheDir>/config.cache is a
// fixed-size header (a format line, then JSON: version, hash, compression,
// count, raw size) followed by the resources as a compressed ResourceList,
// the stream's packed format. It is written as a stream from the ConfigSet,
// so no whole-config string or buffer is ever built, and atomically (temp
// file, fsync, rename, fsync dir) so a crash mid-write leaves the old file.
// It is read back only if its content hashes to its stated hash, and then
// the changes journaled since (disk-journal.ts) are replayed on it. A
// config.json left by an older build is read when there is no config.cache.
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isResourceType, type Resource } from '@portico/shared';
import { compressResourceList, unpackResourcesSync, type Compression } from '@portico/proto';
import { ConfigSet } from './config-set.js';
import { removeJournal, replayJournal } from './disk-journal.js';
import { MAX_UNPACKED_BYTES, checked } from './push-resources.js';

export const CACHE_FILE = 'config.cache';
/** What builds before config.cache wrote (one JSON document); read, never written. */
export const LEGACY_CACHE_FILE = 'config.json';
const MAGIC = 'portico-config-cache 1\n';
/** The header is padded to this size, so it can be written after the body, once its sizes are known. */
const HEADER_BYTES = 512;

interface Header {
  version: number;
  hash: string;
  compression: Compression;
  count: number;
  raw_size: number;
}

/** What is on disk besides the config: how far the journal may grow before the next write replaces it all. */
export interface CacheFiles {
  /** Uncompressed size of config.cache's resources (0: none, a legacy config.json). */
  baseRawSize: number;
  /** Bytes of journal records replayed. */
  journalBytes: number;
  /** The journal held nothing but records that applied: more may be appended to it. */
  journalClean: boolean;
}

export type CacheLoad = ({ ok: true; set: ConfigSet } & CacheFiles) | { ok: false; reason: 'missing' | 'unreadable' | 'malformed' | 'hash-mismatch' };

/** Synchronous on purpose: it runs once at start-up, before the node can serve anything. */
export function loadCache(cacheDir: string): CacheLoad {
  let file: Buffer;
  try {
    file = readFileSync(join(cacheDir, CACHE_FILE));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? loadLegacy(cacheDir) : { ok: false, reason: 'unreadable' };
  }
  const head = parseHeader(file);
  if (!head) return { ok: false, reason: 'malformed' };
  let set: ConfigSet;
  try {
    set = ConfigSet.of(head.version, checked(unpackResourcesSync({ ...head, data: file.subarray(HEADER_BYTES) }, MAX_UNPACKED_BYTES)));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (set.hash !== head.hash) return { ok: false, reason: 'hash-mismatch' };
  const journal = replayJournal(cacheDir, set);
  return { ok: true, set: journal.set, baseRawSize: head.raw_size, journalBytes: journal.bytes, journalClean: journal.clean };
}

export interface CacheContent {
  version: number;
  hash: string;
  resources: Iterable<Resource>;
}

/** Writes config.cache whole; returns the uncompressed size of its resources. A journal beside it no longer chains and must go. */
export async function writeCache(cacheDir: string, content: CacheContent, compression: Compression = 'BROTLI'): Promise<{ rawSize: number }> {
  await mkdir(cacheDir, { recursive: true });
  const final = join(cacheDir, CACHE_FILE);
  const tmp = `${final}.${process.pid}.${Date.now()}.tmp`;
  let rawSize = 0;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      let at = HEADER_BYTES;
      // Written once and read only at start-up: speed over size.
      const { count, raw_size } = await compressResourceList(content.resources, compression, 'fast', async (b) => {
        await fh.write(b, 0, b.length, at);
        at += b.length;
      });
      rawSize = raw_size;
      const header = headerBytes({ version: content.version, hash: content.hash, compression, count, raw_size });
      await fh.write(header, 0, header.length, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // The journal's records apply to the cache just replaced: left there, they would not chain (loading
  // checks), but the next appends must start a new journal. An older build's cache is stale too.
  await removeJournal(cacheDir);
  await rm(join(cacheDir, LEGACY_CACHE_FILE), { force: true });
  // Make the rename itself durable; some platforms cannot open a directory.
  try {
    const dir = await open(cacheDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // best effort
  }
  return { rawSize };
}

function headerBytes(h: Header): Buffer {
  const text = `${MAGIC}${JSON.stringify(h)}`;
  if (Buffer.byteLength(text) >= HEADER_BYTES) throw new Error('config cache header does not fit');
  // Padded with spaces (JSON ignores them) and closed with a newline.
  return Buffer.from(`${text.padEnd(HEADER_BYTES - 1, ' ')}\n`);
}

function parseHeader(file: Buffer): Header | null {
  if (file.length < HEADER_BYTES) return null;
  const text = file.toString('utf8', 0, HEADER_BYTES);
  if (!text.startsWith(MAGIC)) return null;
  let h: unknown;
  try {
    h = JSON.parse(text.slice(MAGIC.length));
  } catch {
    return null;
  }
  if (typeof h !== 'object' || h === null) return null;
  const o = h as Record<string, unknown>;
  const { version, hash, compression, count, raw_size } = o;
  if (typeof version !== 'number' || typeof hash !== 'string' || (compression !== 'BROTLI' && compression !== 'GZIP') || typeof count !== 'number' || typeof raw_size !== 'number') return null;
  return { version, hash, compression, count, raw_size };
}

/** config.json as builds before config.cache wrote it: `{ version, hash, resources: [{ type, id, body }] }`. */
function loadLegacy(cacheDir: string): CacheLoad {
  let text: string;
  try {
    text = readFileSync(join(cacheDir, LEGACY_CACHE_FILE), 'utf8');
  } catch (err) {
    return { ok: false, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable' };
  }
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof o !== 'object' || o === null || typeof o['version'] !== 'number' || typeof o['hash'] !== 'string' || !Array.isArray(o['resources'])) return { ok: false, reason: 'malformed' };
  const resources: Resource[] = [];
  for (const r of o['resources'] as unknown[]) {
    if (typeof r !== 'object' || r === null) return { ok: false, reason: 'malformed' };
    const { type, id, body } = r as Record<string, unknown>;
    if (typeof type !== 'string' || !isResourceType(type) || typeof id !== 'string' || typeof body !== 'string') return { ok: false, reason: 'malformed' };
    resources.push({ type, id, body });
  }
  const set = ConfigSet.of(o['version'], resources);
  return set.hash === o['hash'] ? { ok: true, set, baseRawSize: 0, journalBytes: 0, journalClean: false } : { ok: false, reason: 'hash-mismatch' };
}
