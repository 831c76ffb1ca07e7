// Hot swap under load: config changes while requests are flowing lose nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, startUpstream, waitForVersion, writtenVersion, type Upstream } from '../lib/http.js';

describe('hot swap under a concurrent request loop', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let ups: Upstream[];

  before(async () => {
    ups = await Promise.all([startUpstream('a'), startUpstream('b')]);
    cp = await startControlPlane();
    dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'hs-1' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'hs-2' })]);
    await http('PUT', `${cp.admin}/services/svc`, { url: ups[0]!.url });
    const r = await http('PUT', `${cp.admin}/routes/main`, { paths: ['/load'], service: { name: 'svc' } });
    assert.equal(r.status, 200, r.body);
    await Promise.all(dps.map((d) => waitForVersion(d.status, writtenVersion(r))));
  });

  after(async () => {
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp.proc.stop();
    await Promise.all(ups.map((u) => u.close()));
  });

  test('30 config changes during the loop lose no request and restart nothing', async () => {
    const pids = dps.map((d) => d.proc.pid);
    const agent = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const worker = async (target: string) => {
      while (!stop) {
        try {
          const res = await request(`${target}/load/item`, { dispatcher: agent });
          const body = await res.body.text();
          if (res.statusCode === 200) ok++;
          else failures.push(`${res.statusCode} ${body}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const workers = dps.flatMap((d) => Array.from({ length: 4 }, () => worker(d.proxy)));

    let last = 0;
    for (let i = 0; i < 30; i++) {
      // Alternate the backend and add/remove a second route, so the router and pools both change.
      const step = i % 3;
      const res =
        step === 0
          ? await http('PATCH', `${cp.admin}/services/svc`, { url: ups[i % 2]!.url })
          : step === 1
            ? await http('PUT', `${cp.admin}/routes/extra-${i}`, { paths: [`/extra-${i}`], service: { name: 'svc' } })
            : await http('PATCH', `${cp.admin}/routes/main`, { paths: ['/load', `/alias-${i}`] });
      assert.ok(res.status === 200 || res.status === 201, res.body);
      last = writtenVersion(res);
      await new Promise((r) => setTimeout(r, 30));
    }
    await Promise.all(dps.map((d) => waitForVersion(d.status, last)));
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(workers);
    await agent.close();

    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failed requests`);
    assert.ok(ok > 300, `only ${ok} requests completed`);
    assert.deepEqual(dps.map((d) => d.proc.pid), pids);
    assert.ok(ups[0]!.hits > 0 && ups[1]!.hits > 0, 'both backends served traffic');
  });
});
