// The last applied config on disk (<cacheDir>/config.json), so a node that
// restarts while the control plane is down still serves (invariant 2). Written
// atomically (temp file, fsync, rename, fsync dir) so a crash mid-write leaves
// the old file; read back only if its content still hashes to its stated hash.
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { configHash, isResourceType, type Resource, type Snapshot } from '@portico/shared';

export const CACHE_FILE = 'config.json';

export type CacheLoad = { ok: true; snapshot: Snapshot } | { ok: false; reason: 'missing' | 'unreadable' | 'malformed' | 'hash-mismatch' };

/** Synchronous on purpose: it runs once at start-up, before the node can serve anything. */
export function loadCache(cacheDir: string): CacheLoad {
  let text: string;
  try {
    text = readFileSync(join(cacheDir, CACHE_FILE), 'utf8');
  } catch (err) {
    return { ok: false, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const snap = asSnapshot(parsed);
  if (!snap) return { ok: false, reason: 'malformed' };
  if (configHash(snap.resources) !== snap.hash) return { ok: false, reason: 'hash-mismatch' };
  return { ok: true, snapshot: snap };
}

export async function writeCache(cacheDir: string, snap: Snapshot): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const final = join(cacheDir, CACHE_FILE);
  const tmp = `${final}.${process.pid}.${Date.now()}.tmp`;
  const body = JSON.stringify({ version: snap.version, hash: snap.hash, resources: snap.resources });
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(body, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
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
}

function asSnapshot(v: unknown): Snapshot | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o['version'] !== 'number' || typeof o['hash'] !== 'string' || !Array.isArray(o['resources'])) return null;
  const resources: Resource[] = [];
  for (const r of o['resources'] as unknown[]) {
    if (typeof r !== 'object' || r === null) return null;
    const { type, id, body } = r as Record<string, unknown>;
    if (typeof type !== 'string' || !isResourceType(type) || typeof id !== 'string' || typeof body !== 'string') return null;
    resources.push({ type, id, body });
  }
  return { version: o['version'], hash: o['hash'], resources };
}
