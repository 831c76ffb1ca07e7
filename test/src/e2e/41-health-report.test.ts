// Health reports from real data planes to a real control plane, read through
// the admin API: `GET /upstreams/{u}/health` merges what every node sees and
// `GET /clustering/data-planes` summarises each node's view.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, waitForVersion, writtenVersion, type Upstream } from '../lib/http.js';

interface HealthRow {
  id: string;
  target: string;
  weight: number;
  upstream: { id: string };
  health: string;
  data: { addresses: { ip: string; port: number; health: string; weight: number }[] };
  nodes: Record<string, string>;
}
interface HealthBody {
  data: HealthRow[];
  next: string | null;
  node_id: string;
}
interface PlaneRow {
  id: string;
  health: { upstreams: number; targets_healthy: number; targets_unhealthy: number; reported_at: number } | null;
}

const NODES = ['hr-1', 'hr-2'];

describe('health reports from two data planes', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let ups: Upstream[];
  let targetOf: (u: Upstream) => string;

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const r = await http('GET', `${cp.admin}${path}`);
    return { status: r.status, body: r.json<T>() };
  };
  const write = async (method: string, path: string, body: unknown): Promise<void> => {
    const r = await http(method, `${cp.admin}${path}`, body);
    assert.ok(r.status === 200 || r.status === 201, `${method} ${path}: ${r.status} ${r.body}`);
    await Promise.all(dps.map((dp) => waitForVersion(dp.status, writtenVersion(r))));
  };
  const rows = async (upstream: string): Promise<Record<string, HealthRow>> =>
    Object.fromEntries((await get<HealthBody>(`/upstreams/${upstream}/health`)).body.data.map((r) => [r.target, r]));
  const planes = async (): Promise<PlaneRow[]> => (await get<{ data: PlaneRow[] }>('/clustering/data-planes')).body.data.filter((p) => NODES.includes(p.id));

  before(async () => {
    ups = await Promise.all([startUpstream('a'), startUpstream('b'), startUpstream('plain')]);
    targetOf = (u) => `127.0.0.1:${u.port}`;
    cp = await startControlPlane();
    dps = await Promise.all(NODES.map((nodeId) => startDataPlane({ controlPlane: cp.clusterAddress, nodeId })));
    // Active checks every second; one failed probe marks a target down, one good one brings it back.
    await write('POST', '/upstreams', {
      name: 'checked',
      healthchecks: { active: { http_path: '/', timeout: 1, healthy: { interval: 1, successes: 1 }, unhealthy: { interval: 1, tcp_failures: 1, http_failures: 1, timeouts: 1 } } },
    });
    await write('POST', '/upstreams/checked/targets', { target: targetOf(ups[0]!) });
    await write('POST', '/upstreams/checked/targets', { target: targetOf(ups[1]!) });
    await write('POST', '/upstreams', { name: 'unchecked' });
    await write('POST', '/upstreams/unchecked/targets', { target: targetOf(ups[2]!) });
    await write('POST', '/services', { name: 'checked-svc', host: 'checked', port: 80, protocol: 'http' });
    await write('POST', '/services/checked-svc/routes', { name: 'checked-route', paths: ['/hc'] });
  });

  after(async () => {
    await Promise.all(dps.map((dp) => dp.proc.stop()));
    await cp.proc.stop();
    await Promise.all(ups.map((u) => u.close()));
  });

  test('GET /upstreams/{u}/health answers in Kong\'s shape by name and id, 404s an unknown upstream, and an upstream without checks is HEALTHCHECKS_OFF', async () => {
    const nodeId = (await get<{ node_id: string }>('/')).body.node_id;
    const r = await get<HealthBody>('/upstreams/checked/health');
    assert.equal(r.status, 200);
    assert.equal(r.body.next, null);
    assert.equal(r.body.node_id, nodeId);
    assert.deepEqual(r.body.data.map((t) => t.target).sort(), [targetOf(ups[0]!), targetOf(ups[1]!)].sort());
    const upstream = (await get<{ id: string }>('/upstreams/checked')).body;
    for (const row of r.body.data) {
      assert.deepEqual(row.upstream, { id: upstream.id });
      assert.equal(row.weight, 100);
      assert.ok(['HEALTHY', 'UNHEALTHY', 'DNS_ERROR', 'HEALTHCHECKS_OFF'].includes(row.health), row.health);
      assert.equal(typeof row.nodes, 'object');
    }
    assert.deepEqual((await get<HealthBody>(`/upstreams/${upstream.id}/health`)).body.data.map((t) => t.id).sort(), r.body.data.map((t) => t.id).sort());
    const unchecked = await rows('unchecked');
    assert.equal(unchecked[targetOf(ups[2]!)]!.health, 'HEALTHCHECKS_OFF');
    const missing = await get<{ message: string }>('/upstreams/nope/health');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { message: 'Not found' });
    for (const p of await planes()) assert.ok('health' in p, 'every data-plane row has a health summary (null before a report)');
  });

  test('a stopped target turns UNHEALTHY on both nodes within seconds, and the data-plane summaries agree', async () => {
    await eventually(async () => (await planes()).every((p) => p.health !== null) || undefined, 10_000, 'every data plane to report its health');

    const [a, b] = [targetOf(ups[0]!), targetOf(ups[1]!)];
    await eventually(async () => {
      const r = await rows('checked');
      return r[a]?.health === 'HEALTHY' && r[b]?.health === 'HEALTHY' && Object.keys(r[b]!.nodes).length === 2;
    }, 10_000, 'both targets HEALTHY on both nodes');

    await ups[1]!.close();
    const seen = await eventually(async () => {
      const r = await rows('checked');
      return r[b]?.health === 'UNHEALTHY' && Object.values(r[b]!.nodes).filter((h) => h === 'UNHEALTHY').length === 2 ? r : undefined;
    }, 10_000, 'the stopped target UNHEALTHY on both nodes');
    assert.deepEqual(seen[b]!.nodes, { 'hr-1': 'UNHEALTHY', 'hr-2': 'UNHEALTHY' });
    assert.equal(seen[a]!.health, 'HEALTHY', 'the live target stays healthy');
    assert.deepEqual(seen[a]!.nodes, { 'hr-1': 'HEALTHY', 'hr-2': 'HEALTHY' });

    const summaries = await eventually(async () => {
      const ps = await planes();
      return ps.length === 2 && ps.every((p) => p.health?.targets_unhealthy === 1 && p.health.targets_healthy === 1) ? ps : undefined;
    }, 5000, 'summaries agree');
    for (const p of summaries) {
      assert.ok(p.health!.upstreams >= 2, `${p.id} reports both upstreams`);
      assert.ok(Math.abs(p.health!.reported_at - Date.now() / 1000) < 15, `${p.id} reported recently`);
    }
  });
});
