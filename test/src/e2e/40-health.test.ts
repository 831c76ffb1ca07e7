// Health checks, retries and outlier ejection on real processes, configured
// through the admin API: a target killed under load costs no request, active
// checks take it out within two intervals and bring it back when it returns,
// and passive checks alone eject a failing target.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane, type LogLine } from '../lib/processes.js';
import { eventually, http, startUpstream, waitForVersion, writtenVersion, type Reply, type Upstream, writeLive } from '../lib/http.js';

const INTERVAL_S = 1;

const attemptsOn = (dp: DataPlane, port: number, since: number): LogLine[] =>
  dp.proc.lines.filter((l) => l.msg === 'upstream attempt failed' && String(l['target']).endsWith(`:${port}`) && Date.parse(String(l['time'])) >= since);

const healthLine = (port: number, health: string) => (l: LogLine) =>
  l.msg === 'upstream target health changed' && String(l['target']).endsWith(`:${port}`) && l['health'] === health;

describe('active health checks and retries under load', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let ups: Upstream[];

  const write = (method: string, path: string, body: unknown): Promise<Reply> => writeLive(cp.admin, [dp.status], method, path, body);

  before(async () => {
    ups = await Promise.all([startUpstream('a'), startUpstream('b'), startUpstream('c')]);
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'health-1' });
    await write('POST', '/upstreams', {
      name: 'checked',
      healthchecks: {
        active: {
          http_path: '/status',
          timeout: 1,
          healthy: { interval: INTERVAL_S, successes: 1 },
          unhealthy: { interval: INTERVAL_S, tcp_failures: 1, http_failures: 1, timeouts: 1 },
        },
      },
    });
    for (const u of ups) await write('POST', '/upstreams/checked/targets', { target: `127.0.0.1:${u.port}` });
    await write('POST', '/services', { name: 'checked-svc', host: 'checked', port: 80, retries: 5 });
    await write('POST', '/services/checked-svc/routes', { paths: ['/checked'] });
  });

  after(async () => {
    await dp.proc.stop();
    await cp.proc.stop();
    await Promise.all(ups.map((u) => u.close()));
  });

  test('the admin API fills Portico defaults beside Kong healthchecks', async () => {
    const u = (await http('GET', `${cp.admin}/upstreams/checked`)).json();
    assert.deepEqual(u.circuit_breakers, { max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, consecutive_failures: 0, open_timeout: 10 });
    assert.deepEqual(u.outlier_detection, { base_ejection_time: 30, max_ejection_time: 300, max_ejection_percent: 10 });
    assert.equal(u.healthchecks.active.healthy.interval, INTERVAL_S);
  });

  test('a target killed mid-run: 0 failed requests, no traffic to it within two intervals, back when restarted', async () => {
    const victim = ups[1]!;
    const port = victim.port;
    const failures: string[] = [];
    let ok = 0;
    let stop = false;
    const loop = async (): Promise<void> => {
      while (!stop) {
        try {
          const r = await http('GET', `${dp.proxy}/checked`);
          if (r.status === 200) ok++;
          else failures.push(`${r.status} ${r.body}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    await eventually(async () => victim.hits > 5, 10_000, 'traffic on every target');

    const killedAt = Date.now();
    await victim.close();
    const down = await dp.proc.waitForLog(healthLine(port, 'UNHEALTHY'), 15_000);
    const markedAfter = Date.parse(String(down['time'])) - killedAt;
    // Two intervals, plus slack for a busy 2-core machine.
    assert.ok(markedAfter <= 2 * INTERVAL_S * 1000 + 1500, `marked unhealthy ${markedAfter} ms after the kill`);
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000)); // traffic keeps flowing meanwhile
    const quietFrom = killedAt + 2 * INTERVAL_S * 1000 + 1500;
    const late = attemptsOn(dp, port, Math.max(quietFrom, Date.parse(String(down['time'])) + 200));
    assert.deepEqual(late, [], 'proxied attempts on the dead target after it was marked down');

    const back = await startUpstream('b', { port });
    ups[1] = back;
    await dp.proc.waitForLog(healthLine(port, 'HEALTHY'), 15_000);
    await eventually(async () => back.hits > 3, 10_000, 'traffic on the restarted target');
    stop = true;
    await Promise.all(loops);
    assert.deepEqual(failures, [], `${failures.length} failed of ${ok + failures.length}`);
    assert.ok(ok > 50, `only ${ok} requests ran`);
  });
});

describe('passive checks without active checks', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let good: Upstream;
  let bad: Upstream;

  before(async () => {
    good = await startUpstream('good');
    bad = await startUpstream('bad');
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'health-2' });
    const w = async (method: string, path: string, body: unknown): Promise<void> => {
      const r = await http(method, `${cp.admin}${path}`, body);
      assert.ok(r.status === 200 || r.status === 201, `${method} ${path}: ${r.status} ${r.body}`);
      await waitForVersion(dp.status, writtenVersion(r));
    };
    await w('POST', '/upstreams', {
      name: 'passive',
      healthchecks: { passive: { unhealthy: { tcp_failures: 2 } } },
      outlier_detection: { base_ejection_time: 60 },
    });
    await w('POST', '/upstreams/passive/targets', { target: `127.0.0.1:${good.port}` });
    await w('POST', '/upstreams/passive/targets', { target: `127.0.0.1:${bad.port}` });
    await w('POST', '/services', { name: 'passive-svc', host: 'passive', port: 80 });
    await w('POST', '/services/passive-svc/routes', { paths: ['/passive'] });
  });

  after(async () => {
    await dp.proc.stop();
    await cp.proc.stop();
    await good.close();
  });

  test('a target that keeps refusing is ejected by passive checks; requests keep succeeding', async () => {
    await bad.close();
    for (let i = 0; i < 20; i++) {
      const r = await http('GET', `${dp.proxy}/passive`);
      assert.equal(r.status, 200, r.body);
      assert.equal(r.json().upstream, 'good');
    }
    const ejected = await dp.proc.waitForLog(healthLine(bad.port, 'UNHEALTHY'), 5_000);
    assert.equal(ejected['reason'], 'passive');
    assert.equal(ejected['ejection_ms'], 60_000);
    assert.equal(attemptsOn(dp, bad.port, 0).length, 2, 'two refused attempts (tcp_failures: 2), then no more');
  });
});
