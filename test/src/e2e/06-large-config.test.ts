// A large config travels packed: the control plane encodes and compresses it
// once and sends those bytes to every node that accepts them (older nodes get
// it listed), data planes serve every route of it, write it to their disk
// cache in the same packed format and serve that cache after a restart with
// the control plane down; one-route changes on top of it stay small deltas,
// on the wire and on disk (a journal record beside the cache). A load that
// large is followed by a collection that gives back what it grew, in every
// process of a node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, waitForVersion, writtenVersion, type Upstream } from '../lib/http.js';
import { connectSimNode, type SimNode } from '../bench/sim-data-plane.js';

const ROUTES = 2000;

describe('a large config', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let up: Upstream;
  let version: number;
  const sims: SimNode[] = [];

  before(async () => {
    up = await startUpstream('backend');
    cp = await startControlPlane();
    dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'big-1' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'big-2' })]);
    const routes = Array.from({ length: ROUTES }, (_, i) => ({ name: `r${i}`, paths: [`/r${i}`] }));
    const r = await http('POST', `${cp.admin}/config`, { _format_version: '3.0', services: [{ name: 'svc', url: up.url, routes }] });
    assert.equal(r.status, 201, r.body);
    version = writtenVersion(r);
    await Promise.all(dps.map((d) => waitForVersion(d.status, version, 30_000)));
  });

  after(async () => {
    for (const s of sims) s.close();
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp.proc.stop();
    await up.close();
  });

  test('reaches every data plane whole: every route serves', async () => {
    for (const dp of dps) {
      for (const i of [0, 1, 999, ROUTES - 1]) assert.equal((await http('GET', `${dp.proxy}/r${i}`)).status, 200, `/r${i} on ${dp.nodeId}`);
      const s = (await http('GET', `${dp.status}/status`)).json();
      assert.equal(s.config_version, version);
    }
  });

  test('each data plane gives back what the load grew, when it is over', async () => {
    // The load grew V8's young generation to its maximum; a memory-reducing collection shrinks it (data-plane/src/heap-release.ts).
    for (const dp of dps) {
      const released = await dp.proc.waitForLog((l) => l.msg === 'released memory after a large change', 10_000);
      assert.equal(released['measure'], 'unused');
      assert.ok((released['heap_after_mb'] as number) < (released['heap_before_mb'] as number) / 2, JSON.stringify(released));
    }
  });

  test('a node with --workers 2 gives it back in every process: each worker and the primary', async () => {
    // Each worker compiles its own serving core, and the primary compiles the node's set too (workers/primary.ts).
    const node = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'big-wk', workers: 2 });
    try {
      await waitForVersion(node.status, version, 30_000);
      const pids = (await http('GET', `${node.status}/status`)).json<{ workers: { list: { pid: number }[] } }>().workers.list.map((w) => w.pid);
      assert.equal(pids.length, 2);
      const released = (workerPid: number | undefined) =>
        node.proc.waitForLog((l) => l.msg === 'released memory after a large change' && l['worker_pid'] === workerPid, 15_000);
      for (const line of await Promise.all([...pids.map(released), released(undefined)])) {
        assert.equal(line['measure'], 'unused');
        assert.ok((line['heap_after_mb'] as number) < (line['heap_before_mb'] as number), JSON.stringify(line));
      }
      assert.equal((await http('GET', `${node.proxy}/r${ROUTES - 1}`)).status, 200);
    } finally {
      await node.proc.stop();
    }
  });

  test('a change to every route compiles in slices: the data plane keeps answering while it compiles', async () => {
    const dp = dps[0]!;
    const previous = version;
    // What /status said while the change was on its way (status and proxy share the one event loop).
    const answers: { version: number; applying: number | null }[] = [];
    const statuses = new Set<number>();
    let stop = false;
    const watch = (async () => {
      while (!stop) {
        const s = (await http('GET', `${dp.status}/status`)).json<{ config_version: number; config_applying: number | null }>();
        answers.push({ version: s.config_version, applying: s.config_applying });
        statuses.add((await http('GET', `${dp.proxy}/r5`)).status);
      }
    })();
    const routes = Array.from({ length: ROUTES }, (_, i) => ({ name: `r${i}`, paths: [`/r${i}`], tags: ['second'] }));
    const r = await http('POST', `${cp.admin}/config`, { _format_version: '3.0', services: [{ name: 'svc', url: up.url, routes }] });
    assert.equal(r.status, 201, r.body);
    version = writtenVersion(r);
    await Promise.all(dps.map((d) => waitForVersion(d.status, version, 30_000)));
    stop = true;
    await watch;
    const applied = await dp.proc.waitForLog((l) => l.msg === 'config applied' && l['config_version'] === version);
    assert.ok((applied['slices'] as number) > 1, JSON.stringify(applied));
    // Answered between two slices: still serving the old version while compiling the new one.
    // A compile that held the thread would never be seen doing so.
    const during = answers.filter((a) => a.version === previous && a.applying === version).length;
    assert.ok(during >= 1, `no answer during the compile: ${JSON.stringify(applied)}`);
    assert.deepEqual([...statuses], [200]);
    const after = (await http('GET', `${dp.status}/status`)).json<{ config_version: number; config_applying: number | null }>();
    assert.deepEqual({ version: after.config_version, applying: after.config_applying }, { version, applying: null }, 'nothing applying once it is live');
  });

  test('is sent packed, one compressed payload for every node; a node that does not accept packing gets it listed', async () => {
    const fresh = Array.from({ length: 5 }, (_, i) => connectSimNode(cp.clusterAddress, `sim-packed-${i}`));
    const legacy = connectSimNode(cp.clusterAddress, 'sim-listed', { acceptPacked: false });
    sims.push(...fresh, legacy);
    await Promise.all([...fresh, legacy].map((n) => n.waitForVersion(version, 20_000)));
    const packed = fresh.map((n) => n.pushes[0]!);
    const listed = legacy.pushes[0]!;
    assert.ok(packed.every((p) => p.full && p.resources === ROUTES + 1), 'the whole config: the service and its routes');
    assert.deepEqual({ full: listed.full, resources: listed.resources }, { full: true, resources: ROUTES + 1 });
    // The same bytes for every stream, a fraction of the listed message.
    assert.equal(new Set(packed.map((p) => p.bytes)).size, 1);
    assert.ok(packed[0]!.bytes * 4 < listed.bytes, `packed ${packed[0]!.bytes} bytes vs listed ${listed.bytes}`);
  });

  test('a one-route change on top of it is a small delta', async () => {
    const sim = sims[0]!;
    const before = sim.pushes.length;
    // Past the data planes' cache interval (1 s): the large config is on disk whole, so this change is journaled.
    await new Promise((r) => setTimeout(r, 1200));
    const r = await http('PUT', `${cp.admin}/routes/late`, { paths: ['/late'], service: { name: 'svc' } });
    assert.equal(r.status, 200, r.body);
    await Promise.all(dps.map((d) => waitForVersion(d.status, writtenVersion(r))));
    await sim.waitForVersion(writtenVersion(r));
    const delta = sim.pushes[before]!;
    assert.equal(delta.full, false);
    assert.ok(delta.bytes < 2048, `${delta.bytes} bytes`);
    for (const dp of dps) assert.equal((await http('GET', `${dp.proxy}/late`)).status, 200);
    version = writtenVersion(r);
  });

  test('an edit that resolves every route again (a global plugin) compiles in slices too; a route edit does not', async () => {
    const dp = dps[0]!;
    const edit = await dp.proc.waitForLog((l) => l.msg === 'config applied' && l['config_version'] === version);
    assert.equal(edit['slices'], undefined, `the one-route change compiled at once: ${JSON.stringify(edit)}`);
    const r = await http('POST', `${cp.admin}/plugins`, { name: 'rate-limiting', config: { minute: 100000, policy: 'local' } });
    assert.equal(r.status, 201, r.body);
    version = writtenVersion(r);
    await Promise.all(dps.map((d) => waitForVersion(d.status, version)));
    const applied = await dp.proc.waitForLog((l) => l.msg === 'config applied' && l['config_version'] === version);
    assert.ok((applied['slices'] as number) >= 1, JSON.stringify(applied));
    for (const path of ['/r0', `/r${ROUTES - 1}`, '/late']) {
      const res = await http('GET', `${dp.proxy}${path}`);
      assert.deepEqual({ status: res.status, limit: res.headers['x-ratelimit-limit-minute'] }, { status: 200, limit: '100000' }, path);
    }
  });

  test('a data plane restarted with the control plane down serves it from its packed disk cache', async () => {
    const old = dps[1]!;
    assert.ok(existsSync(join(old.cacheDir, 'config.cache')), 'config.cache written');
    await eventually(async () => existsSync(join(old.cacheDir, 'config.journal')), 5_000, 'the one-route change journaled beside the cache');
    assert.ok(!existsSync(join(old.cacheDir, 'config.json')), 'no JSON cache beside it');
    await cp.proc.stop();
    await old.proc.stop();
    const restarted = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: old.nodeId, cacheDir: old.cacheDir });
    dps[1] = restarted;
    const status = await eventually<{ config_source: string; config_version: number }>(async () => {
      const r = await http('GET', `${restarted.status}/status`);
      return r.status === 200 ? r.json() : undefined;
    }, 10_000, 'restarted data plane ready from cache');
    assert.deepEqual({ source: status.config_source, version: status.config_version }, { source: 'cache', version });
    // Loading the cache was a whole-config compile: it too is followed by one collection.
    await restarted.proc.waitForLog((l) => l.msg === 'released memory after a large change', 10_000);
    for (const path of ['/r0', `/r${ROUTES - 1}`, '/late']) assert.equal((await http('GET', `${restarted.proxy}${path}`)).status, 200, path);
  });
});
