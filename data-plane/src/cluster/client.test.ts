import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configHash, type Resource } from '@portico/shared';
import { startClusterClient, type AppliedSnapshot, type ClusterClient } from './client.js';
import { CACHE_FILE, LEGACY_CACHE_FILE, loadCache, writeCache } from './disk-cache.js';
import { ScriptedControlPlane, eventually, svc } from './test-control-plane.js';

const TOKEN = 'dp-test-token-abcdef';
const FAST = { initialMs: 10, maxMs: 50 };

interface Rig {
  dir: string;
  applied: AppliedSnapshot[];
  /** Makes the next apply calls throw while true. */
  failApply: { on: boolean };
  start(port: number, token?: string, extra?: { cacheWriteIntervalMs?: number }): ClusterClient;
}

const withRig = (fn: (rig: Rig) => Promise<void>) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-dp-cluster-'));
  const applied: AppliedSnapshot[] = [];
  const failApply = { on: false };
  const clients: ClusterClient[] = [];
  const rig: Rig = {
    dir,
    applied,
    failApply,
    start: (port, token = TOKEN, extra = {}) => {
      const c = startClusterClient({
        ...extra,
        address: `127.0.0.1:${port}`,
        token,
        node: { id: 'dp-1', hostname: 'dp-1.local', software_version: '0.1.0-test', labels: {} },
        cacheDir: dir,
        backoff: FAST,
        apply: (snap) => {
          if (failApply.on) throw new Error('route r9: invalid regex');
          applied.push(snap);
        },
      });
      clients.push(c);
      return c;
    },
  };
  try {
    await fn(rig);
  } finally {
    for (const c of clients) await c.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** A control plane that answers every hello with the given full snapshot. */
const cpServing = (version: number, resources: Resource[]) => new ScriptedControlPlane(TOKEN, (cp) => cp.pushFull(version, resources));

const readCache = (dir: string) => {
  const c = loadCache(dir);
  if (!c.ok) throw new Error(`cache not loadable: ${c.reason}`);
  return { version: c.set.version, hash: c.set.hash, resources: [...c.set] };
};

test('cluster client: a full push is applied, ACKed with its nonce, and written to the disk cache', withRig(async ({ dir, applied, start }) => {
  const cp = await cpServing(3, [svc('a'), svc('b')]).start();
  try {
    const c = start(cp.port);
    await eventually(() => cp.of('ack').length === 1, 3000, 'ACK');
    const hello = cp.of('hello')[0]!.hello;
    assert.deepEqual({ id: hello.node.id, version: hello.version, hash: hello.hash }, { id: 'dp-1', version: 0, hash: '' });
    assert.equal(applied.length, 1);
    assert.equal(applied[0]!.version, 3);
    assert.equal(applied[0]!.hash, configHash([svc('a'), svc('b')]));
    assert.equal(cp.of('ack')[0]!.ack.version, 3);
    assert.ok(cp.of('ack')[0]!.ack.nonce.length > 0);
    assert.deepEqual({ ...c.state() }, { connected: true, version: 3, hash: applied[0]!.hash, lastError: null, source: 'control-plane' });
    await c.close(); // waits for the cache write
    const cached = readCache(dir);
    assert.equal(cached.version, 3);
    assert.equal(cached.hash, configHash(cached.resources));
  } finally {
    await cp.close();
  }
}));

test('cluster client: configs applied within the cache interval are written once, the newest, and close() writes what is pending', withRig(async ({ dir, start }) => {
  const cp = await cpServing(1, [svc('a')]).start();
  try {
    const c = start(cp.port, TOKEN, { cacheWriteIntervalMs: 400 });
    await eventually(() => cp.of('ack').length === 1);
    await eventually(() => loadCache(dir).ok, 3000, 'first config on disk at once');
    assert.equal(readCache(dir).version, 1);
    // Two more configs inside the interval: served and ACKed at once, on disk only when it ends.
    const v2 = [svc('a'), svc('b')];
    const v3 = [svc('a'), svc('b'), svc('c')];
    cp.push({ version: 2, hash: configHash(v2), full: false, base_version: 1, resources: [svc('b')], removed: [] });
    await eventually(() => cp.of('ack').length === 2);
    cp.push({ version: 3, hash: configHash(v3), full: false, base_version: 2, resources: [svc('c')], removed: [] });
    await eventually(() => cp.of('ack').length === 3);
    assert.equal(c.state().version, 3);
    assert.equal(readCache(dir).version, 1, 'no write inside the interval');
    await eventually(() => readCache(dir).version === 3, 3000, 'the newest config written when the interval ends');
    // A config still pending when the node stops is written by close().
    const v4 = [svc('a')];
    cp.push({ version: 4, hash: configHash(v4), full: false, base_version: 3, resources: [], removed: [{ type: 'services', id: 'b' }, { type: 'services', id: 'c' }] });
    await eventually(() => cp.of('ack').length === 4);
    assert.equal(readCache(dir).version, 3);
    await c.close();
    const last = readCache(dir);
    assert.deepEqual({ version: last.version, hash: last.hash }, { version: 4, hash: configHash(v4) });
  } finally {
    await cp.close();
  }
}));

test('cluster client: a delta on the current version is applied and its hash computed from the old one', withRig(async ({ applied, start }) => {
  const cp = await cpServing(1, [svc('a'), svc('b')]).start();
  try {
    const c = start(cp.port);
    await eventually(() => cp.of('ack').length === 1);
    const next = [svc('a', 8080), svc('c')];
    const p = cp.push({ version: 2, hash: configHash(next), full: false, base_version: 1, resources: [svc('a', 8080), svc('c')], removed: [{ type: 'services', id: 'b' }] });
    await eventually(() => cp.of('ack').length === 2, 3000, 'ACK of delta');
    assert.equal(cp.of('ack')[1]!.ack.nonce, p.nonce);
    assert.equal(c.state().version, 2);
    assert.equal(c.state().hash, configHash(next));
    assert.deepEqual([...applied[1]!.resources].map((r) => r.id).sort(), ['a', 'c']);
  } finally {
    await cp.close();
  }
}));

test('cluster client: a delta on another base asks for a resync, keeps its config, and applies the full snapshot that follows', withRig(async ({ applied, start }) => {
  const cp = await cpServing(1, [svc('a')]).start();
  try {
    const c = start(cp.port);
    await eventually(() => cp.of('ack').length === 1);
    cp.push({ version: 5, hash: configHash([svc('a'), svc('z')]), full: false, base_version: 4, resources: [svc('z')], removed: [] });
    await eventually(() => cp.of('resync').length === 1, 3000, 'resync');
    assert.match(cp.of('resync')[0]!.resync.reason, /base 4/);
    assert.equal(c.state().version, 1);
    assert.equal(applied.length, 1, 'nothing applied from the bad delta');
    cp.pushFull(5, [svc('a'), svc('z')]);
    await eventually(() => c.state().version === 5, 3000, 'full applied');
    // The state flips as the ACK is written; it reaches the control plane a moment later.
    await eventually(() => cp.of('ack').at(-1)?.ack.version === 5, 3000, 'ACK of the full snapshot');
  } finally {
    await cp.close();
  }
}));

test('cluster client: a delta whose result does not match its hash asks for a resync and keeps the old config', withRig(async ({ applied, start }) => {
  const cp = await cpServing(1, [svc('a')]).start();
  try {
    const c = start(cp.port);
    await eventually(() => cp.of('ack').length === 1);
    cp.push({ version: 2, hash: 'ff'.repeat(32), full: false, base_version: 1, resources: [svc('b')], removed: [] });
    await eventually(() => cp.of('resync').length === 1, 3000, 'resync');
    assert.match(cp.of('resync')[0]!.resync.reason, /hash mismatch/);
    assert.deepEqual({ v: c.state().version, h: c.state().hash, n: applied.length }, { v: 1, h: configHash([svc('a')]), n: 1 });
  } finally {
    await cp.close();
  }
}));

test('cluster client: an apply that throws is NACKed with the serving version and the old config stays, then a good push is applied', withRig(async ({ applied, failApply, start }) => {
  const cp = await cpServing(1, [svc('a')]).start();
  try {
    const c = start(cp.port);
    await eventually(() => cp.of('ack').length === 1);
    failApply.on = true;
    const bad = cp.push({ version: 2, hash: configHash([svc('a'), svc('b')]), full: false, base_version: 1, resources: [svc('b')], removed: [] });
    await eventually(() => cp.of('nack').length === 1, 3000, 'NACK');
    const nack = cp.of('nack')[0]!.nack;
    assert.deepEqual(nack, { version: 2, nonce: bad.nonce, error: 'route r9: invalid regex', serving_version: 1 });
    assert.equal(c.state().version, 1);
    assert.match(c.state().lastError ?? '', /invalid regex/);
    // The client's own resource set stayed at version 1, so a delta on 1 still applies.
    failApply.on = false;
    cp.push({ version: 3, hash: configHash([svc('a'), svc('c')]), full: false, base_version: 1, resources: [svc('c')], removed: [] });
    await eventually(() => c.state().version === 3, 3000, 'good delta applied');
    assert.deepEqual([...applied.at(-1)!.resources].map((r) => r.id).sort(), ['a', 'c']);
    assert.equal(c.state().lastError, null);
  } finally {
    await cp.close();
  }
}));

test('cluster client: a rejected token shows in state and is retried with backoff, never connecting', withRig(async ({ applied, start }) => {
  const cp = await cpServing(1, [svc('a')]).start();
  try {
    const c = start(cp.port, 'wrong-token');
    await eventually(() => cp.refused >= 3, 3000, 'retries');
    assert.match(c.state().lastError ?? '', /rejected the cluster token/);
    assert.ok(!(c.state().lastError ?? '').includes('wrong-token'), 'the token is never echoed');
    assert.equal(c.state().connected, false);
    assert.equal(applied.length, 0);
  } finally {
    await cp.close();
  }
}));

test('cluster client: with the control plane down a node serves its disk cache at once and says hello with its version and hash', withRig(async ({ dir, applied, start }) => {
  const resources = [svc('a'), svc('b')];
  await writeCache(dir, { version: 7, hash: configHash(resources), resources });
  // A port nothing listens on: bind and release one.
  const probe = await new ScriptedControlPlane(TOKEN).start();
  const port = probe.port;
  await probe.close();
  const c = start(port);
  assert.equal(applied.length, 1, 'apply ran synchronously, before any connection');
  assert.deepEqual({ ...c.state(), lastError: null }, { connected: false, version: 7, hash: configHash(resources), lastError: null, source: 'cache' });
  await eventually(() => c.state().lastError !== null, 3000, 'connection failure noticed');
  assert.equal(c.state().version, 7, 'still serving while disconnected');
  // The control plane comes up on that port: hello carries the cached pair, an empty delta is ACKed without re-applying.
  const cp = await new ScriptedControlPlane(TOKEN, (s, _call, m) =>
    s.push({ version: m.hello.version, hash: m.hello.hash, full: false, base_version: m.hello.version, resources: [], removed: [] }),
  ).start(port);
  try {
    await eventually(() => cp.of('ack').length === 1, 5000, 'ACK after reconnect');
    assert.deepEqual({ v: cp.of('hello')[0]!.hello.version, h: cp.of('hello')[0]!.hello.hash }, { v: 7, h: configHash(resources) });
    assert.equal(applied.length, 1, 'an empty delta does not recompile');
    assert.equal(c.state().source, 'control-plane');
    assert.equal(c.state().connected, true);
  } finally {
    await cp.close();
  }
}));

test('cluster client: a corrupted or mismatching cache file is ignored', withRig(async ({ dir, applied, start }) => {
  const probe = await new ScriptedControlPlane(TOKEN).start();
  const port = probe.port;
  await probe.close();
  mkdirSync(dir, { recursive: true });
  const ignored = async () => {
    const c = start(port);
    assert.equal(applied.length, 0);
    assert.deepEqual({ v: c.state().version, s: c.state().source }, { v: 0, s: 'none' });
    await c.close();
  };
  writeFileSync(join(dir, CACHE_FILE), 'portico-config-cache 1\n{"version": 3, "hash": "ab", "reso');
  await ignored();
  // A whole file whose compressed body was damaged after it was written.
  const resources = [svc('a'), svc('b')];
  await writeCache(dir, { version: 3, hash: configHash(resources), resources });
  const file = readFileSync(join(dir, CACHE_FILE));
  file[file.length - 5]! ^= 0xff;
  writeFileSync(join(dir, CACHE_FILE), file);
  await ignored();
  // Intact, but its content is not what its hash says.
  await writeCache(dir, { version: 3, hash: configHash([svc('a', 1)]), resources });
  await ignored();
}));

test('cluster client: a config.json cache from an older build is served, then replaced by config.cache', withRig(async ({ dir, applied, start }) => {
  const probe = await new ScriptedControlPlane(TOKEN).start();
  const port = probe.port;
  await probe.close();
  mkdirSync(dir, { recursive: true });
  const old = [svc('a')];
  writeFileSync(join(dir, LEGACY_CACHE_FILE), JSON.stringify({ version: 2, hash: configHash(old), resources: old }));
  const c = start(port);
  assert.deepEqual({ v: c.state().version, s: c.state().source, n: applied.length }, { v: 2, s: 'cache', n: 1 });
  await c.close();
  // A tampered legacy file is refused like any other.
  writeFileSync(join(dir, LEGACY_CACHE_FILE), JSON.stringify({ version: 2, hash: configHash(old), resources: [svc('a', 1)] }));
  const c2 = start(port);
  assert.equal(c2.state().source, 'none');
  await c2.close();
  await writeCache(dir, { version: 3, hash: configHash(old), resources: old });
  assert.throws(() => readFileSync(join(dir, LEGACY_CACHE_FILE)), /ENOENT/, 'the stale legacy file is gone');
  assert.equal(readCache(dir).version, 3);
}));

test('cluster client: when the control plane goes away the node keeps its config and reconnects to a new one on the same port', withRig(async ({ start }) => {
  const cp1 = await cpServing(1, [svc('a')]).start();
  const port = cp1.port;
  const c = start(port);
  await eventually(() => c.state().version === 1);
  await cp1.close();
  await eventually(() => !c.state().connected, 3000, 'disconnect noticed');
  assert.equal(c.state().version, 1);
  const cp2 = await cpServing(4, [svc('a'), svc('d')]).start(port);
  try {
    await eventually(() => c.state().version === 4, 5000, 'reconnected and updated');
    assert.equal(cp2.of('hello')[0]!.hello.version, 1);
    assert.equal(c.state().connected, true);
  } finally {
    await cp2.close();
  }
}));
