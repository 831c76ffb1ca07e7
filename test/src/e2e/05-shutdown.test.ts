// SIGTERM drains a data plane: it stops accepting, lets the request in flight
// finish, then exits 0.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, waitForVersion, writtenVersion, type Upstream } from '../lib/http.js';

describe('graceful shutdown', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let slow: Upstream;

  before(async () => {
    slow = await startUpstream('slow', { delayMs: 1500 });
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'drain-1' });
    await http('PUT', `${cp.admin}/services/slow`, { url: slow.url });
    const r = await http('PUT', `${cp.admin}/routes/slow`, { paths: ['/slow'], service: { name: 'slow' } });
    await waitForVersion(dp.status, writtenVersion(r));
  });

  after(async () => {
    await dp.proc.stop('SIGKILL');
    await cp.proc.stop();
    await slow.close();
  });

  test('an in-flight request finishes, new connections are refused, the process exits 0', async () => {
    const inflight = http('GET', `${dp.proxy}/slow/x`);
    await eventually(async () => slow.hits > 0, 5_000, 'request to reach the upstream');
    const t0 = Date.now();
    dp.proc.child.kill('SIGTERM');
    const port = Number(new URL(dp.proxy).port);
    await eventually(
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => (s.destroy(), resolve(false)));
          s.once('error', () => resolve(true));
        }),
      1_000,
      'the proxy port to refuse new connections',
    );
    const res = await inflight;
    assert.equal(res.status, 200);
    assert.equal(res.json().upstream, 'slow');
    const exit = await dp.proc.exited;
    assert.equal(exit.code, 0);
    assert.ok(Date.now() - t0 < 3_000 + 1_000, 'drain bounded by --drain-timeout');
  });
});
