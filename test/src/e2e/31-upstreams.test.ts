// Upstreams and targets through the admin API: a service whose host names an
// upstream is balanced over its targets by weight, on real processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, startUpstream, type Reply, type Upstream, writeLive } from '../lib/http.js';

describe('upstream with two targets', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let ups: Upstream[];

  const write = (method: string, path: string, body: unknown): Promise<Reply> => writeLive(cp.admin, [dp.status], method, path, body);

  before(async () => {
    ups = await Promise.all([startUpstream('a'), startUpstream('b')]);
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'up-1' });
    await write('POST', '/upstreams', { name: 'example_upstream' });
    await write('POST', '/upstreams/example_upstream/targets', { target: `127.0.0.1:${ups[0]!.port}`, weight: 300 });
    await write('POST', '/upstreams/example_upstream/targets', { target: `127.0.0.1:${ups[1]!.port}`, weight: 100 });
    await write('POST', '/services', { name: 'balanced', host: 'example_upstream', port: 80, protocol: 'http' });
    await write('POST', '/services/balanced/routes', { name: 'balanced-route', paths: ['/lb'] });
  });

  after(async () => {
    await dp.proc.stop();
    await cp.proc.stop();
    await Promise.all(ups.map((u) => u.close()));
  });

  test('weights 300:100 split traffic 3:1', async () => {
    const counts: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 40; i++) {
      const r = await http('GET', `${dp.proxy}/lb`);
      assert.equal(r.status, 200, r.body);
      counts[r.json<{ upstream: string }>().upstream]!++;
    }
    assert.deepEqual(counts, { a: 30, b: 10 });
  });

  test('a target set to weight 0 takes no traffic; with no usable target the proxy answers 503', async () => {
    await write('PATCH', `/upstreams/example_upstream/targets/127.0.0.1:${ups[1]!.port}`, { weight: 0 });
    for (let i = 0; i < 6; i++) assert.equal((await http('GET', `${dp.proxy}/lb`)).json<{ upstream: string }>().upstream, 'a');
    await write('PATCH', `/upstreams/example_upstream/targets/127.0.0.1:${ups[0]!.port}`, { weight: 0 });
    const r = await http('GET', `${dp.proxy}/lb`);
    assert.equal(r.status, 503);
    assert.equal(r.json().message, 'failure to get a peer from the ring-balancer');
  });
});
