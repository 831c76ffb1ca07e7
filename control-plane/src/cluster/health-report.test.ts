// Health reports over real gRPC into the real registry, read back through the
// real admin app: what nodes send is what `GET /upstreams/{u}/health` and
// `GET /clustering/data-planes` show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WireHealthState, WireUpstreamHealth } from '@portico/proto';
import { harness, type Harness } from '../admin/test-support.js';
import { createStoreSnapshotSource } from '../snapshot/index.js';
import { Store } from '../store/index.js';
import { startClusterServer, type ClusterServer } from './server.js';
import { TestNode, eventually } from './test-node.js';

const TOKEN = 'test-cluster-token-0123456789';
const ACTIVE_CHECKS = { active: { healthy: { interval: 1 }, unhealthy: { interval: 1 } } };

interface Fixture {
  upstreamId: string;
  /** target string → id, for the checked upstream `api`. */
  ids: Record<string, string>;
  plainId: string;
  plainTargetId: string;
}

interface Rig {
  server: ClusterServer;
  admin: Harness;
  fx: Fixture;
  node(id: string): Promise<TestNode>;
  get(url: string): Promise<{ status: number; body: any }>;
}

const withRig = (fn: (rig: Rig) => Promise<void>) => async () => {
  const store = Store.open(':memory:');
  const source = createStoreSnapshotSource(store);
  const server = await startClusterServer({ listen: '127.0.0.1:0', token: TOKEN, source });
  const admin = await harness({ cluster: server.view }, store);
  const nodes: TestNode[] = [];
  const post = async (url: string, body: unknown) => {
    const r = await admin.json('POST', url, body);
    assert.equal(r.statusCode, 201, r.body);
    return r.json() as { id: string; target?: string };
  };
  const api = await post('/upstreams', { name: 'api', healthchecks: ACTIVE_CHECKS });
  const ids: Record<string, string> = {};
  for (const t of ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']) ids[t] = (await post('/upstreams/api/targets', { target: t })).id;
  const plain = await post('/upstreams', { name: 'plain' });
  const plainTarget = await post('/upstreams/plain/targets', { target: '10.0.0.9:80' });
  const rig: Rig = {
    server,
    admin,
    fx: { upstreamId: api.id, ids, plainId: plain.id, plainTargetId: plainTarget.id },
    node: async (id) => {
      const n = new TestNode(server.port, TOKEN);
      nodes.push(n);
      n.hello(id);
      n.ack(await n.push(0));
      return n;
    },
    get: async (url) => {
      const r = await admin.json('GET', url);
      return { status: r.statusCode, body: r.json() };
    },
  };
  try {
    await fn(rig);
  } finally {
    for (const n of nodes) n.close();
    await server.close();
    source.close();
    await admin.close();
  }
};

/** A node's view of `api` (targets 1 and 2 only: 3 is never reported) and of `plain`. */
function view(fx: Fixture, t1: WireHealthState, t2: WireHealthState): WireUpstreamHealth[] {
  const target = (t: string, health: WireHealthState) => {
    const [ip, port] = t.split(':') as [string, string];
    return { target_id: fx.ids[t]!, target: t, weight: 100, health, addresses: [{ ip, port: Number(port), health, weight: 100 }] };
  };
  return [
    { upstream_id: fx.upstreamId, upstream_name: 'api', targets: [target('10.0.0.1:80', t1), target('10.0.0.2:80', t2)] },
    { upstream_id: fx.plainId, upstream_name: 'plain', targets: [{ target_id: fx.plainTargetId, target: '10.0.0.9:80', weight: 100, health: 'HEALTHCHECKS_OFF', addresses: [] }] },
  ];
}

/** Polls an async condition (the admin answer changes once a message has crossed the wire). */
async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const byTarget = (body: { data: { target: string }[] }) => Object.fromEntries(body.data.map((r) => [r.target, r])) as Record<string, any>;

test('health report: a node\'s view is stored and summarised on its data-planes row; a heartbeat keeps it and refreshes reported_at', withRig(async ({ server, fx, node, get }) => {
  const n = await node('dp-1');
  assert.equal(server.view.dataPlanes()[0]!.health, null, 'no report yet');
  n.health(view(fx, 'HEALTHY', 'UNHEALTHY'));
  await eventually(() => server.view.dataPlanes()[0]?.health !== null, 3000, 'report filed');
  const row = (await get('/clustering/data-planes')).body.data[0];
  assert.equal(row.health.upstreams, 2);
  assert.equal(row.health.targets_healthy, 1);
  assert.equal(row.health.targets_unhealthy, 1);
  assert.ok(Math.abs(row.health.reported_at - Date.now() / 1000) < 5);
  const [h] = server.view.nodeHealth!();
  assert.equal(h!.node_id, 'dp-1');
  assert.equal(h!.upstreams[0]!.targets[1]!.health, 'UNHEALTHY');
  // A heartbeat says "unchanged": the view stays, only the times move.
  const before = h!.reported_at;
  await new Promise((r) => setTimeout(r, 1100));
  n.health(null);
  await eventually(() => (server.view.nodeHealth!()[0]?.reported_at ?? 0) > before, 3000, 'heartbeat filed');
  const after = server.view.nodeHealth!()[0]!;
  assert.equal(after.changed_at, before, 'a heartbeat is not a change');
  assert.equal(after.upstreams[0]!.targets[1]!.health, 'UNHEALTHY');
}));

test('health report: GET /upstreams/{u}/health merges the connected nodes — HEALTHY only when every node agrees — with a per-node breakdown', withRig(async ({ fx, node, get }) => {
  const a = await node('dp-a');
  const b = await node('dp-b');
  a.health(view(fx, 'HEALTHY', 'HEALTHY'));
  b.health(view(fx, 'HEALTHY', 'UNHEALTHY'));
  await until(async () => Object.keys(byTarget((await get('/upstreams/api/health')).body)['10.0.0.2:80'].nodes).length === 2, 'both reports merged');
  const res = await get('/upstreams/api/health');
  assert.equal(res.status, 200);
  assert.equal(res.body.next, null);
  assert.equal(res.body.node_id, 'node-1');
  const rows = byTarget(res.body);
  assert.equal(rows['10.0.0.1:80'].health, 'HEALTHY');
  assert.deepEqual(rows['10.0.0.1:80'].nodes, { 'dp-a': 'HEALTHY', 'dp-b': 'HEALTHY' });
  assert.equal(rows['10.0.0.2:80'].health, 'UNHEALTHY', 'one node sees it down');
  assert.deepEqual(rows['10.0.0.2:80'].nodes, { 'dp-a': 'HEALTHY', 'dp-b': 'UNHEALTHY' });
  assert.deepEqual(rows['10.0.0.2:80'].data.addresses, [{ ip: '10.0.0.2', port: 80, health: 'UNHEALTHY', weight: 100 }]);
  assert.deepEqual(rows['10.0.0.2:80'].data.weight, { total: 100, available: 0, unavailable: 100 });
  // Kong's target fields are all there.
  assert.equal(rows['10.0.0.2:80'].id, fx.ids['10.0.0.2:80']);
  assert.deepEqual(rows['10.0.0.2:80'].upstream, { id: fx.upstreamId });
  assert.equal(rows['10.0.0.2:80'].weight, 100);
  // Configured but reported by no node: no verdict.
  assert.equal(rows['10.0.0.3:80'].health, 'HEALTHCHECKS_OFF');
  assert.deepEqual(rows['10.0.0.3:80'].nodes, {});
  // By id, the same answer.
  const byId = await get(`/upstreams/${fx.upstreamId}/health`);
  assert.deepEqual(byTarget(byId.body)['10.0.0.2:80'].nodes, { 'dp-a': 'HEALTHY', 'dp-b': 'UNHEALTHY' });
  // A node that recovers turns the merged verdict back.
  b.health(view(fx, 'HEALTHY', 'HEALTHY'));
  await until(async () => byTarget((await get('/upstreams/api/health')).body)['10.0.0.2:80'].health === 'HEALTHY', 'recovery merged');
}));

test('health report: a disconnected node stops counting; a reconnected node shows no health until it reports again', withRig(async ({ server, fx, node, get }) => {
  const a = await node('dp-a');
  const b = await node('dp-b');
  a.health(view(fx, 'HEALTHY', 'HEALTHY'));
  b.health(view(fx, 'UNHEALTHY', 'HEALTHY'));
  await until(async () => byTarget((await get('/upstreams/api/health')).body)['10.0.0.1:80'].health === 'UNHEALTHY', 'b merged');
  b.close();
  await eventually(() => server.view.connectedCount() === 1, 3000, 'b gone');
  const rows = byTarget((await get('/upstreams/api/health')).body);
  assert.equal(rows['10.0.0.1:80'].health, 'HEALTHY', 'only connected nodes count');
  assert.deepEqual(rows['10.0.0.1:80'].nodes, { 'dp-a': 'HEALTHY' });
  const again = await node('dp-b');
  assert.equal(server.view.dataPlanes().find((d) => d.id === 'dp-b')!.health, null, 'a new stream starts with no view');
  again.health(view(fx, 'HEALTHY', 'DNS_ERROR'));
  await until(async () => byTarget((await get('/upstreams/api/health')).body)['10.0.0.2:80'].health === 'DNS_ERROR', 'new view merged');
}));

test('health report: an upstream without checks shows HEALTHCHECKS_OFF for every target, as Kong does, whatever nodes report', withRig(async ({ fx, node, get }) => {
  const a = await node('dp-a');
  const v = view(fx, 'HEALTHY', 'HEALTHY');
  v[1]!.targets[0]!.health = 'UNHEALTHY';
  a.health(v);
  await until(async () => Object.keys(byTarget((await get('/upstreams/plain/health')).body)['10.0.0.9:80'].nodes).length === 1, 'report merged');
  const row = byTarget((await get('/upstreams/plain/health')).body)['10.0.0.9:80'];
  assert.equal(row.health, 'HEALTHCHECKS_OFF');
  const bal = await get('/upstreams/plain/health?balancer_health=1');
  assert.deepEqual(bal.body, { data: { id: fx.plainId, health: 'HEALTHCHECKS_OFF' }, next: null, node_id: 'node-1' });
}));

test('health report: ?balancer_health=1 says HEALTHY while available weight meets the threshold, and unknown upstreams are Kong\'s 404', withRig(async ({ fx, node, get, admin }) => {
  const a = await node('dp-a');
  assert.equal((await get('/upstreams/api/health?balancer_health=1')).body.data.health, 'HEALTHCHECKS_OFF', 'no report: no verdict');
  a.health(view(fx, 'HEALTHY', 'UNHEALTHY'));
  await until(async () => (await get('/upstreams/api/health?balancer_health=1')).body.data.health === 'HEALTHY', 'report merged');
  const bal = (await get('/upstreams/api/health?balancer_health=1')).body;
  assert.deepEqual(bal.data.details, { healthy: true, weight: { total: 200, available: 100, unavailable: 100 } });
  const r = await admin.json('PATCH', '/upstreams/api', { healthchecks: { ...ACTIVE_CHECKS, threshold: 60 } });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal((await get('/upstreams/api/health?balancer_health=1')).body.data.health, 'UNHEALTHY', '50% available < 60% threshold');
  const missing = await get('/upstreams/nope/health');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body, { message: 'Not found' });
}));

test('health report: targets and addresses in a state that is not one of Kong\'s words are left out, not guessed', withRig(async ({ server, fx, node }) => {
  const a = await node('dp-a');
  const v = view(fx, 'HEALTHY', 'HEALTH_STATE_UNSPECIFIED');
  a.health(v);
  await eventually(() => server.view.nodeHealth!().length === 1, 3000, 'report filed');
  const targets = server.view.nodeHealth!()[0]!.upstreams[0]!.targets;
  assert.deepEqual(targets.map((t) => t.target), ['10.0.0.1:80']);
  assert.equal(server.view.dataPlanes()[0]!.health!.targets_healthy, 1);
}));

test('health report: a message of a kind this control plane does not know (a newer node\'s) is ignored and the stream stays open', withRig(async ({ server, fx, node }) => {
  const a = await node('dp-a');
  a.send({}); // decodes with no kind, as a future oneof member would here
  a.health(view(fx, 'HEALTHY', 'HEALTHY'));
  await eventually(() => server.view.nodeHealth!().length === 1, 3000, 'report after the unknown message');
  assert.equal(server.view.connectedCount(), 1);
  assert.equal(a.status, null, 'stream not ended');
}));
