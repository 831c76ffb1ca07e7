// The cluster client's health reports over real gRPC to a scripted control
// plane: the whole view when it changes, a bare heartbeat while it does not,
// the whole view again on every new stream, and never at the cost of config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Telemetry } from '@portico/proto';
import type { UpstreamHealthReport } from '../health/types.js';
import { startClusterClient, type AppliedSnapshot, type ClusterClient } from './client.js';
import { ScriptedControlPlane, eventually, svc } from './test-control-plane.js';

const TOKEN = 'dp-test-token-abcdef';

const report = (health: 'HEALTHY' | 'UNHEALTHY'): UpstreamHealthReport[] => [
  {
    upstream_id: 'u1',
    upstream_name: 'api',
    targets: [{ target_id: 't1', target: '10.0.0.1:80', weight: 100, health, addresses: [{ ip: '10.0.0.1', port: 80, health, weight: 100 }] }],
  },
];

interface Rig {
  applied: AppliedSnapshot[];
  /** What the reporter returns; a function so a test can make it throw. */
  view: { current: () => UpstreamHealthReport[] };
  start(port: number, timing?: { sampleMs?: number; heartbeatMs?: number }): ClusterClient;
}

const withRig = (fn: (rig: Rig, cp: ScriptedControlPlane) => Promise<void>, answer = true) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-dp-health-'));
  const cp = await new ScriptedControlPlane(TOKEN, answer ? (c) => c.pushFull(1, [svc('a')]) : undefined).start();
  const applied: AppliedSnapshot[] = [];
  const view = { current: () => report('HEALTHY') };
  const clients: ClusterClient[] = [];
  const rig: Rig = {
    applied,
    view,
    start: (port, timing = { sampleMs: 20, heartbeatMs: 60_000 }) => {
      const c = startClusterClient({
        address: `127.0.0.1:${port}`,
        token: TOKEN,
        node: { id: 'dp-1', hostname: 'dp-1.local', software_version: '0.1.0-test', labels: {} },
        cacheDir: dir,
        backoff: { initialMs: 10, maxMs: 50 },
        apply: (snap) => void applied.push(snap),
        healthReport: () => view.current(),
        telemetry: timing,
      });
      clients.push(c);
      return c;
    },
  };
  try {
    await fn(rig, cp);
  } finally {
    for (const c of clients) await c.close();
    await cp.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const telemetry = (cp: ScriptedControlPlane): Telemetry[] => cp.of('telemetry').map((m) => m.telemetry);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('health report: the whole view is sent once the control plane answers, nothing while it is unchanged, and the new view when it changes', withRig(async ({ view, start }, cp) => {
  start(cp.port);
  await eventually(() => telemetry(cp).length === 1, 3000, 'first report');
  const [first] = telemetry(cp);
  assert.ok(Math.abs(first!.at_ms - Date.now()) < 5000);
  assert.deepEqual(first!.health, { upstreams: report('HEALTHY') }, 'field for field what the reporter built');
  await sleep(200); // ~10 samples of an unchanged view
  assert.equal(telemetry(cp).length, 1, 'an unchanged view is not resent');
  view.current = () => report('UNHEALTHY');
  await eventually(() => telemetry(cp).length === 2, 3000, 'changed report');
  assert.equal(telemetry(cp)[1]!.health!.upstreams[0]!.targets[0]!.health, 'UNHEALTHY');
  const kinds = cp.received.map((m) => m.kind);
  assert.equal(kinds[0], 'hello', 'hello stays first on the stream');
}));

test('health report: while nothing changes the node sends a heartbeat with no health section', withRig(async ({ start }, cp) => {
  start(cp.port, { sampleMs: 20, heartbeatMs: 100 });
  await eventually(() => telemetry(cp).length >= 3, 3000, 'heartbeats');
  const [first, ...rest] = telemetry(cp);
  assert.notEqual(first!.health, null);
  for (const t of rest) assert.equal(t.health, null, 'a heartbeat carries no view');
}));

test('health report: nothing is sent before the control plane has answered the hello', withRig(async ({ start }, cp) => {
  start(cp.port);
  await eventually(() => cp.of('hello').length === 1, 3000, 'hello');
  await sleep(200);
  assert.equal(telemetry(cp).length, 0);
  cp.pushFull(1, [svc('a')]);
  await eventually(() => telemetry(cp).length === 1, 3000, 'report after the first push');
}, false));

test('health report: a new stream gets the whole view again, even though it did not change', withRig(async ({ start }, cp) => {
  start(cp.port);
  await eventually(() => telemetry(cp).length === 1, 3000, 'first report');
  const port = cp.port;
  await cp.close();
  const cp2 = await new ScriptedControlPlane(TOKEN, (c) => c.pushFull(1, [svc('a')])).start(port);
  try {
    await eventually(() => cp2.of('telemetry').length === 1, 5000, 'report on the new stream');
    assert.deepEqual(cp2.of('telemetry')[0]!.telemetry.health, { upstreams: report('HEALTHY') });
  } finally {
    await cp2.close();
  }
}));

test('health report: a reporter that throws sends nothing and leaves config handling alone', withRig(async ({ applied, view, start }, cp) => {
  view.current = () => {
    throw new Error('reporter broke');
  };
  start(cp.port);
  await eventually(() => cp.of('ack').length === 1, 3000, 'first ACK');
  cp.pushFull(2, [svc('a'), svc('b')]);
  await eventually(() => cp.of('ack').length === 2, 3000, 'second push ACKed');
  assert.deepEqual(applied.map((a) => a.version), [1, 2]);
  await sleep(100);
  assert.equal(telemetry(cp).length, 0);
  view.current = () => report('HEALTHY');
  await eventually(() => telemetry(cp).length === 1, 3000, 'report once the reporter works');
}));
