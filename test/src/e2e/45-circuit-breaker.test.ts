// The failure-tripped circuit breaker, through the admin API and the real
// proxy: consecutive failures open it, it fails fast without touching the
// upstream, and after open_timeout one half-open probe closes or re-opens it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, waitForVersion, writtenVersion } from '../lib/http.js';

describe('failure-tripped circuit breaker with half-open probing', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let server: Server;
  let status = 500;
  let hits = 0;
  const get = () => http('GET', `${dp.proxy}/flaky`);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    server = createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'breaker' });
    const u = await http('POST', `${cp.admin}/upstreams`, { name: 'flaky', circuit_breakers: { consecutive_failures: 3, open_timeout: 1 } });
    assert.equal(u.status, 201, u.body);
    assert.equal(u.json().circuit_breakers.max_requests, 1024, 'the other thresholds keep their defaults');
    await http('POST', `${cp.admin}/upstreams/flaky/targets`, { target: `127.0.0.1:${port}` });
    await http('POST', `${cp.admin}/services`, { name: 'flaky', host: 'flaky', retries: 0 });
    const r = await http('POST', `${cp.admin}/services/flaky/routes`, { name: 'flaky', paths: ['/flaky'] });
    await waitForVersion(dp.status, writtenVersion(r));
  });

  after(async () => {
    await dp.proc.stop();
    await cp.proc.stop();
    server.close();
  });

  test('three failures open it; it answers 503 without reaching the upstream; a good probe closes it', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await get()).status, 500);
    const before = hits;
    for (let i = 0; i < 5; i++) {
      const res = await get();
      assert.equal(res.status, 503);
      assert.equal(res.json().message, 'upstream circuit breaker open: the upstream is failing');
    }
    assert.equal(hits, before, 'an open breaker never reaches the upstream');
    status = 200;
    await sleep(1100);
    assert.equal((await get()).status, 200, 'the half-open probe goes through');
    for (let i = 0; i < 5; i++) assert.equal((await get()).status, 200, 'closed again');
  });

  test('a failed probe opens it again for another open_timeout', async () => {
    status = 500;
    for (let i = 0; i < 3; i++) assert.equal((await get()).status, 500);
    assert.equal((await get()).status, 503);
    await sleep(1100);
    assert.equal((await get()).status, 500, 'the probe reaches the still-failing upstream');
    const before = hits;
    assert.equal((await get()).status, 503, 'and the breaker is open again');
    assert.equal(hits, before);
  });
});
