// `portico dp --workers 2`: one node, one control-plane stream, two worker
// processes behind one proxy port (node:cluster, round-robin). Which worker
// served is read from /status (per-worker request counts), never guessed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, writtenVersion, type Reply, type Upstream, writeLive } from '../lib/http.js';

interface WorkerRow {
  id: number;
  pid: number;
  state: string;
  config_version: number | null;
  requests: number | null;
  in_flight_requests: number | null;
}

/** One request on its own connection, so round-robin hands each to the next worker. */
function fresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
  });
}

describe('data plane with --workers 2', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let up: Upstream;
  let slow: Upstream;

  const workers = async (): Promise<WorkerRow[]> => (await http('GET', `${dp.status}/status`)).json<{ workers: { list: WorkerRow[] } }>().workers.list;
  const byPid = async (): Promise<Map<number, number>> => new Map((await workers()).map((w) => [w.pid, w.requests ?? 0]));

  const write = (method: string, path: string, body: unknown): Promise<Reply> => writeLive(cp.admin, [dp.status], method, path, body);

  before(async () => {
    up = await startUpstream('plain');
    slow = await startUpstream('slow', { delayMs: 1_500 });
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'wk-1', workers: 2 });
  });

  after(async () => {
    await dp.proc.stop('SIGKILL');
    await cp.proc.stop();
    await up.close();
    await slow.close();
  });

  test('status lists two listening workers, each a process of its own', async () => {
    const list = await workers();
    assert.equal(list.length, 2);
    assert.ok(list.every((w) => w.state === 'listening'), JSON.stringify(list));
    assert.equal(new Set(list.map((w) => w.pid)).size, 2);
    assert.ok(!list.some((w) => w.pid === dp.proc.pid), 'workers are not the primary');
  });

  test('a route created over the admin API is served by both workers, and /status says every worker applied it', async () => {
    await write('POST', '/services', { name: 'wk-svc', url: up.url });
    const r = await write('POST', '/services/wk-svc/routes', { name: 'wk-route', paths: ['/wk'] });
    const v = writtenVersion(r);
    assert.ok((await workers()).every((w) => (w.config_version ?? 0) >= v), 'every worker has the version status reports');
    const before = await byPid();
    for (let i = 0; i < 10; i++) assert.equal((await fresh(`${dp.proxy}/wk/${i}`)).status, 200);
    const afterCounts = await byPid();
    const served = [...before.keys()].filter((pid) => (afterCounts.get(pid) ?? 0) > (before.get(pid) ?? 0));
    assert.equal(served.length, 2, `both worker pids served requests: ${JSON.stringify([...afterCounts])}`);
  });

  test('a config change reaches every worker', async () => {
    const r = await write('PATCH', '/routes/wk-route', { paths: ['/wk', '/changed'] });
    const list = await workers();
    assert.ok(list.every((w) => w.config_version === writtenVersion(r)), JSON.stringify(list));
    for (let i = 0; i < 6; i++) assert.equal((await fresh(`${dp.proxy}/changed`)).status, 200, `request ${i}`);
  });

  test('rate-limiting minute=5 (local) admits exactly 5 requests per node across both workers', async () => {
    await write('POST', '/services', { name: 'wk-rl', url: up.url });
    await write('POST', '/services/wk-rl/routes', { name: 'wk-rl-route', paths: ['/wk-limited'] });
    await write('POST', '/services/wk-rl/plugins', { name: 'rate-limiting', config: { minute: 5, policy: 'local' } });
    const s = new Date().getUTCSeconds();
    if (s > 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    const before = await byPid();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await fresh(`${dp.proxy}/wk-limited`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    const afterCounts = await byPid();
    assert.ok([...before.keys()].every((pid) => (afterCounts.get(pid) ?? 0) > (before.get(pid) ?? 0)), 'both workers took part');
    // Concurrent requests cannot slip past the shared counter either.
    await write('POST', '/services/wk-rl/routes', { name: 'wk-rl-burst', paths: ['/wk-burst'] });
    await write('POST', '/routes/wk-rl-burst/plugins', { name: 'rate-limiting', config: { minute: 5, policy: 'local' } });
    const burst = await Promise.all(Array.from({ length: 20 }, () => fresh(`${dp.proxy}/wk-burst`)));
    assert.equal(burst.filter((b) => b.status === 200).length, 5, JSON.stringify(burst.map((b) => b.status)));
  });

  test('/clustering/data-planes shows the node once: one stream per node, not per worker', async () => {
    const rows = (await http('GET', `${cp.admin}/clustering/data-planes`)).json<{ data: { id: string; connected: boolean }[] }>().data;
    assert.deepEqual(rows.map((r) => r.id), ['wk-1']);
  });

  test('a worker killed with SIGKILL loses at most its in-flight request and comes back with the config', async (t) => {
    const version = (await http('GET', `${dp.status}/status`)).json<{ config_version: number }>().config_version;
    const victim = (await workers())[0]!.pid;
    let ok = 0;
    let failed = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        try {
          const r = await fresh(`${dp.proxy}/wk/x`);
          if (r.status === 200) ok++;
          else failed++;
        } catch {
          failed++;
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    process.kill(victim, 'SIGKILL');
    const list = await eventually(async () => {
      const l = await workers();
      return l.length === 2 && l.every((w) => w.state === 'listening') && !l.some((w) => w.pid === victim) ? l : undefined;
    }, 10_000, 'a replacement worker');
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await load;
    t.diagnostic(`${failed} failed of ${ok + failed} sequential requests while a worker was killed and replaced`);
    assert.ok(failed <= 1, `${failed} failed of ${ok + failed} sequential requests`);
    assert.ok(ok > 10);
    assert.ok(list.every((w) => w.config_version === version), `the new worker serves the node's config: ${JSON.stringify(list)}`);
    assert.equal((await http('GET', `${dp.status}/status`)).status, 200);
    // The replacement serves too.
    const newcomer = list.find((w) => w.requests !== null && w.pid !== victim)!;
    assert.ok(newcomer);
    for (let i = 0; i < 6; i++) assert.equal((await fresh(`${dp.proxy}/wk/again`)).status, 200);
  });

  test('SIGTERM drains every worker (the in-flight request finishes) and the node exits 0', async () => {
    await write('POST', '/services', { name: 'wk-slow', url: slow.url });
    await write('POST', '/services/wk-slow/routes', { name: 'wk-slow-route', paths: ['/wk-slow'] });
    const pids = (await workers()).map((w) => w.pid);
    const inflight = fresh(`${dp.proxy}/wk-slow/x`);
    await eventually(async () => slow.hits > 0, 5_000, 'the slow request to reach the upstream');
    dp.proc.child.kill('SIGTERM');
    const res = await inflight;
    assert.equal(res.status, 200);
    const exit = await dp.proc.exited;
    assert.equal(exit.code, 0);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), 'worker is gone');
  });
});
