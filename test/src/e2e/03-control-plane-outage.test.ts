// The control plane going away never stops traffic: data planes keep serving,
// a restarted data plane serves from its disk cache, and when the control
// plane returns both reconnect and take new config.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, waitForVersion, writtenVersion, type Upstream } from '../lib/http.js';

describe('control plane outage', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let up: Upstream;

  before(async () => {
    up = await startUpstream('backend');
    cp = await startControlPlane();
    dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'out-1' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'out-2' })]);
    await http('PUT', `${cp.admin}/services/svc`, { url: up.url });
    const r = await http('PUT', `${cp.admin}/routes/r1`, { paths: ['/one'], service: { name: 'svc' } });
    await Promise.all(dps.map((d) => waitForVersion(d.status, writtenVersion(r))));
  });

  after(async () => {
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp.proc.stop();
    await up.close();
  });

  test('a stopped control plane does not stop traffic', async () => {
    await cp.proc.stop();
    for (let i = 0; i < 20; i++) {
      for (const dp of dps) assert.equal((await http('GET', `${dp.proxy}/one`)).status, 200);
    }
    const status = (await http('GET', `${dps[0]!.status}/status`)).json();
    assert.equal(status.ready, true);
    await eventually(async () => (await http('GET', `${dps[0]!.status}/status`)).json().control_plane.connected === false, 10_000, 'disconnection noticed');
  });

  test('a data plane restarted while the control plane is down serves from its cache', async () => {
    const old = dps[1]!;
    await old.proc.stop();
    const restarted = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: old.nodeId, cacheDir: old.cacheDir });
    dps[1] = restarted;
    const status = await eventually<any>(async () => {
      const r = await http('GET', `${restarted.status}/status`);
      return r.status === 200 ? r.json() : undefined;
    }, 5_000, 'restarted data plane ready from cache');
    assert.equal(status.config_source, 'cache');
    assert.equal(status.control_plane.connected, false);
    assert.equal((await http('GET', `${restarted.proxy}/one`)).status, 200);
  });

  test('when the control plane returns, both reconnect and take new config', async () => {
    cp = await startControlPlane({ dbPath: cp.dbPath, clusterPort: cp.clusterPort });
    const r = await http('PUT', `${cp.admin}/routes/r2`, { paths: ['/two'], service: { name: 'svc' } });
    assert.equal(r.status, 200, r.body);
    await Promise.all(dps.map((d) => waitForVersion(d.status, writtenVersion(r), 20_000)));
    for (const dp of dps) {
      assert.equal((await http('GET', `${dp.proxy}/two`)).status, 200);
      assert.equal((await http('GET', `${dp.proxy}/one`)).status, 200);
      const s = (await http('GET', `${dp.status}/status`)).json();
      assert.equal(s.control_plane.connected, true);
      assert.equal(s.config_source, 'control-plane');
    }
  });
});
