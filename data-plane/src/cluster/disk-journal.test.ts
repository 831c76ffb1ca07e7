// The journal beside config.cache, through the real files: what replays, where
// replay stops, and when the writer appends and when it writes the cache whole.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Resource } from '@portico/shared';
import { CacheWriter } from './cache-writer.js';
import { ConfigSet } from './config-set.js';
import { CACHE_FILE, loadCache, writeCache } from './disk-cache.js';
import { JOURNAL_FILE, appendJournal } from './disk-journal.js';
import { silentLogger } from './logger.js';

const res = (id: string, body = `{"id":"${id}"}`): Resource => ({ type: 'services', id, body });
const withDir = (fn: (dir: string) => Promise<void>) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-journal-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
const ids = (s: ConfigSet) => [...s].map((r) => `${r.id}=${r.body}`);

/** A base on disk and three journaled changes after it. */
async function chain(dir: string): Promise<ConfigSet[]> {
  const v1 = ConfigSet.of(1, [res('a'), res('b')]);
  await writeCache(dir, { version: 1, hash: v1.hash, resources: v1.values() });
  const sets = [v1];
  const steps: [Resource[], { type: string; id: string }[]][] = [[[res('c')], []], [[res('a', '{"id":"a","n":2}')], [{ type: 'services', id: 'b' }]], [[res('d')], []]];
  for (const [updated, removed] of steps) {
    const prev = sets.at(-1)!;
    const next = prev.applyDelta(prev.version + 1, updated, removed);
    await appendJournal(dir, { base_version: prev.version, base_hash: prev.hash, version: next.version, hash: next.hash, updated, removed });
    sets.push(next);
  }
  return sets;
}

test('journal: loading replays every record that chains from the cache', withDir(async (dir) => {
  const sets = await chain(dir);
  const loaded = loadCache(dir);
  assert.ok(loaded.ok);
  assert.equal(loaded.set.version, 4);
  assert.equal(loaded.set.hash, sets[3]!.hash);
  assert.deepEqual(ids(loaded.set), ids(sets[3]!));
  assert.equal(loaded.journalClean, true);
  assert.equal(loaded.journalBytes, statSync(join(dir, JOURNAL_FILE)).size);
}));

test('journal: a torn last record is left out, and what came before it is served', withDir(async (dir) => {
  const sets = await chain(dir);
  const file = join(dir, JOURNAL_FILE);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.length - 10)); // the crash came mid-append
  const loaded = loadCache(dir);
  assert.ok(loaded.ok);
  assert.equal(loaded.set.version, 3);
  assert.equal(loaded.set.hash, sets[2]!.hash);
  assert.equal(loaded.journalClean, false);
}));

test('journal: replay stops at a record on another base or with a wrong hash', withDir(async (dir) => {
  const sets = await chain(dir);
  const v4 = sets[3]!;
  // Chains from v4 but states a hash its changes do not make.
  appendFileSync(join(dir, JOURNAL_FILE), `${JSON.stringify({ base_version: 4, base_hash: v4.hash, version: 5, hash: 'f'.repeat(64), updated: [res('e')], removed: [] })}\n`);
  let loaded = loadCache(dir);
  assert.ok(loaded.ok);
  assert.equal(loaded.set.version, 4);
  assert.equal(loaded.journalClean, false);
  // A journal from before the cache was last written whole does not chain at all.
  await writeCache(dir, { version: 9, hash: v4.hash, resources: v4.values() });
  assert.equal(existsSync(join(dir, JOURNAL_FILE)), false, 'writing the cache whole removes the journal');
  await appendJournal(dir, { base_version: 1, base_hash: sets[0]!.hash, version: 2, hash: sets[1]!.hash, updated: [res('c')], removed: [] });
  loaded = loadCache(dir);
  assert.ok(loaded.ok);
  assert.equal(loaded.set.version, 9);
  assert.deepEqual(ids(loaded.set), ids(v4));
}));

test('cache writer: deltas are appended to the journal, a whole snapshot rewrites the cache, and a long journal is folded', withDir(async (dir) => {
  let current = ConfigSet.of(1, [res('a'), res('b')]);
  const w = new CacheWriter({ dir, intervalMs: 0, log: silentLogger, current: () => current });
  w.accepted(undefined);
  await w.flush();
  assert.equal(loadCache(dir).ok && (loadCache(dir) as { set: ConfigSet }).set.version, 1);
  const cacheBytes = readFileSync(join(dir, CACHE_FILE));

  const delta = (updated: Resource[], removed: { type: string; id: string }[] = []) => {
    current = current.applyDelta(current.version + 1, updated, removed);
    w.accepted({ updated, removed });
  };
  delta([res('c')]);
  await w.flush();
  delta([res('a', '{"id":"a","n":2}')], [{ type: 'services', id: 'b' }]);
  await w.flush();
  assert.deepEqual(readFileSync(join(dir, CACHE_FILE)), cacheBytes, 'config.cache untouched by deltas');
  let loaded = loadCache(dir);
  assert.ok(loaded.ok);
  assert.deepEqual({ version: loaded.set.version, hash: loaded.set.hash }, { version: 3, hash: current.hash });

  // A whole snapshot: the cache is rewritten and the journal goes.
  current = ConfigSet.of(4, [res('x')]);
  w.accepted(undefined);
  await w.flush();
  assert.equal(existsSync(join(dir, JOURNAL_FILE)), false);
  loaded = loadCache(dir);
  assert.ok(loaded.ok && loaded.set.version === 4);

  // Deltas past the journal's limit (256 KiB for a cache this small) fold into a whole write.
  const big = 'x'.repeat(40_000);
  let folded = false;
  for (let i = 0; i < 12; i++) {
    delta([res(`big${i}`, `{"id":"big${i}","pad":"${big}"}`)]);
    await w.flush();
    if (!existsSync(join(dir, JOURNAL_FILE))) folded = true;
  }
  assert.ok(folded, 'the journal was folded into the cache');
  loaded = loadCache(dir);
  assert.ok(loaded.ok);
  assert.deepEqual({ version: loaded.set.version, hash: loaded.set.hash }, { version: current.version, hash: current.hash });
}));

test('cache writer: after loading a journal that did not replay cleanly, the next write is whole', withDir(async (dir) => {
  await chain(dir);
  appendFileSync(join(dir, JOURNAL_FILE), '{"torn":');
  const loaded = loadCache(dir);
  assert.ok(loaded.ok && !loaded.journalClean);
  let current = loaded.set;
  const w = new CacheWriter({ dir, intervalMs: 0, log: silentLogger, current: () => current });
  w.loaded(current, loaded);
  const updated = [res('z')];
  current = current.applyDelta(current.version + 1, updated, []);
  w.accepted({ updated, removed: [] });
  await w.flush();
  assert.equal(existsSync(join(dir, JOURNAL_FILE)), false, 'rewritten whole, not appended after the torn bytes');
  const again = loadCache(dir);
  assert.ok(again.ok);
  assert.deepEqual({ version: again.set.version, hash: again.set.hash }, { version: current.version, hash: current.hash });
}));
