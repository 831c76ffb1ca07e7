// A route created over admin REST serves on both data planes, and later
// changes reach both without a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, waitForVersion, writtenVersion, type Upstream } from '../lib/http.js';

describe('admin writes reach every data plane', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let v1: Upstream;
  let v2: Upstream;

  before(async () => {
    [v1, v2] = await Promise.all([startUpstream('v1'), startUpstream('v2')]);
    cp = await startControlPlane();
    dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'dp-a' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'dp-b' })]);
  });

  after(async () => {
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp.proc.stop();
    await Promise.all([v1.close(), v2.close()]);
  });

  test('each data plane becomes ready once the control plane sent its first config', async () => {
    // Before any admin write the control plane still sends an (empty) config, so readiness comes quickly.
    for (const dp of dps) await waitForVersion(dp.status, 0);
  });

  test('a route created over the admin API serves on both data planes', async () => {
    const s = await http('POST', `${cp.admin}/services`, `name=orders&url=${encodeURIComponent(v1.url + '/api')}`, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(s.status, 201, s.body);
    const r = await http('POST', `${cp.admin}/services/orders/routes`, 'name=orders&paths[]=/orders', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 201, r.body);
    const version = writtenVersion(r);
    assert.ok(version >= 2);
    await Promise.all(dps.map((d) => waitForVersion(d.status, version)));
    for (const dp of dps) {
      const res = await http('GET', `${dp.proxy}/orders/42?x=1`);
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(res.json(), { upstream: 'v1', path: '/api/42?x=1', host: `127.0.0.1:${v1.port}` });
    }
    const unknown = await http('GET', `${dps[0]!.proxy}/nope`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json().message, 'no Route matched with those values');
  });

  test('a change reaches both data planes without a restart', async () => {
    const pids = dps.map((d) => d.proc.pid);
    const res = await http('PATCH', `${cp.admin}/services/orders`, { url: `${v2.url}/v2` });
    assert.equal(res.status, 200, res.body);
    const version = writtenVersion(res);
    await Promise.all(dps.map((d) => waitForVersion(d.status, version)));
    for (const dp of dps) {
      const r = await http('GET', `${dp.proxy}/orders/7`);
      assert.deepEqual(r.json(), { upstream: 'v2', path: '/v2/7', host: `127.0.0.1:${v2.port}` });
    }
    assert.deepEqual(dps.map((d) => d.proc.pid), pids);
    assert.ok(dps.every((d) => d.proc.child.exitCode === null));
  });

  test('deleting the route stops it matching everywhere', async () => {
    const res = await http('DELETE', `${cp.admin}/routes/orders`);
    assert.equal(res.status, 204);
    const version = writtenVersion(res);
    await Promise.all(dps.map((d) => waitForVersion(d.status, version)));
    for (const dp of dps) assert.equal((await http('GET', `${dp.proxy}/orders/7`)).status, 404);
  });

  test('/clustering/data-planes lists both nodes in sync with the latest version', async () => {
    const version = Number((await http('GET', `${cp.admin}/status`)).json().config_version);
    const rows = await eventually(async () => {
      const body = (await http('GET', `${cp.admin}/clustering/data-planes`)).json<{ data: { id: string; sync_status: string; config_version: number; connected: boolean }[] }>();
      const ok = body.data.filter((d) => d.sync_status === 'normal' && d.config_version === version && d.connected);
      return ok.length === 2 ? body.data : undefined;
    }, 10_000, 'both data planes in sync');
    assert.deepEqual(rows.map((r) => r.id).sort(), ['dp-a', 'dp-b']);
  });
});
