// Zero downtime: while a bounded concurrent request loop runs on two data
// planes, 100 admin changes — backend weights of a split, route paths, and
// upstream targets (weights, adds, removes) — fail no request and restart
// no process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, startUpstream, waitForVersion, writtenVersion, type Reply, type Upstream } from '../lib/http.js';

describe('zero downtime under config churn', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let ups: Upstream[];

  async function admin(method: string, path: string, body?: unknown): Promise<Reply> {
    const r = await http(method, `${cp.admin}${path}`, body);
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.body}`);
    return r;
  }

  before(async () => {
    ups = await Promise.all(['a', 'b', 'c'].map((n) => startUpstream(n)));
    cp = await startControlPlane();
    dps = await Promise.all([1, 2].map((i) => startDataPlane({ controlPlane: cp.clusterAddress, nodeId: `zd-${i}` })));
    await admin('PUT', '/upstreams/pool', {});
    await admin('POST', '/upstreams/pool/targets', { target: `127.0.0.1:${ups[0]!.port}`, weight: 100 });
    await admin('POST', '/upstreams/pool/targets', { target: `127.0.0.1:${ups[1]!.port}`, weight: 100 });
    await admin('PUT', '/services/stable', { url: ups[0]!.url });
    await admin('PUT', '/services/canary', { url: ups[1]!.url });
    await admin('PUT', '/services/balanced', { host: 'pool', port: 80, protocol: 'http' });
    await admin('PUT', '/routes/split', { paths: ['/split'], backends: [{ service: { name: 'stable' }, weight: 99 }, { service: { name: 'canary' }, weight: 1 }], backend_hash_on: 'header', backend_hash_on_header: 'x-user' });
    const last = await admin('PUT', '/routes/lb', { paths: ['/lb', '/lb-0'], service: { name: 'balanced' } });
    await Promise.all(dps.map((d) => waitForVersion(d.status, writtenVersion(last))));
  });

  after(async () => {
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp.proc.stop();
    await Promise.all(ups.map((u) => u.close()));
  });

  test('100 weight / route / target changes during the loop: 0 failed requests, 0 restarts', async () => {
    const pids = dps.map((d) => d.proc.pid);
    const agent = new Agent({ connections: 8, keepAliveTimeout: 10_000 });
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    // Two paths that exist throughout: the split, and /lb on the balanced service.
    const paths = ['/split/item', '/lb/item'];
    const worker = async (target: string, w: number) => {
      for (let n = 0; !stop; n++) {
        const path = paths[(n + w) % paths.length]!;
        try {
          const res = await request(`${target}${path}`, { dispatcher: agent, headers: { 'x-user': `u-${w}-${n % 50}` } });
          const body = await res.body.text();
          if (res.statusCode === 200) ok++;
          else failures.push(`${path}: ${res.statusCode} ${body}`);
        } catch (err) {
          failures.push(`${path}: ${String(err)}`);
        }
      }
    };
    // Bounded: 3 workers per data plane, each one request at a time.
    const workers = dps.flatMap((d) => [0, 1, 2].map((w) => worker(d.proxy, w)));

    const added: string[] = [];
    let last = 0;
    for (let i = 0; i < 100; i++) {
      let res: Reply;
      switch (i % 4) {
        case 0: {
          const c = [1, 5, 25, 50, 75, 100][(i / 4) % 6]!;
          res = await admin('PATCH', '/routes/split', { backends: [{ service: { name: 'stable' }, weight: 100 - c }, { service: { name: 'canary' }, weight: c }] });
          break;
        }
        case 1:
          res = await admin('PATCH', '/routes/lb', { paths: ['/lb', `/lb-${i}`] });
          break;
        case 2:
          res = await admin('PATCH', `/upstreams/pool/targets/127.0.0.1:${ups[i % 8 < 4 ? 0 : 1]!.port}`, { weight: 10 + (i % 90) });
          break;
        default:
          // Add the third target, or remove it again: the first two always stay.
          if (added.length === 0) {
            res = await admin('POST', '/upstreams/pool/targets', { target: `127.0.0.1:${ups[2]!.port}`, weight: 50 });
            added.push(`127.0.0.1:${ups[2]!.port}`);
          } else {
            res = await admin('DELETE', `/upstreams/pool/targets/${added.pop()!}`);
          }
      }
      const v = writtenVersion(res);
      if (Number.isFinite(v)) last = Math.max(last, v);
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(dps.map((d) => waitForVersion(d.status, last, 20_000)));
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(workers);
    await agent.close();

    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failed requests of ${ok + failures.length}`);
    assert.ok(ok > 200, `only ${ok} requests completed`);
    assert.deepEqual(dps.map((d) => d.proc.pid), pids, 'no data plane restarted');
    assert.equal(dps.filter((d) => d.proc.child.exitCode !== null).length, 0);
    assert.ok(ups.every((u) => u.hits > 0), `every upstream served traffic: ${ups.map((u) => u.hits).join(', ')}`);
  });
});
