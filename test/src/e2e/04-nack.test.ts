// A snapshot the data plane cannot compile is NACKed, shows on
// /clustering/data-planes, and the old config keeps serving.
//
// The admin API refuses anything the data plane would reject, so the test
// plays a control plane with data the data plane does not understand (as a
// newer control plane would send to an older data plane): it writes a route
// with an unknown field straight into the control plane's SQLite file, stamped
// with the next config version, then makes an ordinary admin write so that
// version is pushed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, waitForVersion, writtenVersion, type Upstream } from '../lib/http.js';

describe('a config the data plane cannot compile', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let up: Upstream;
  let good: number;
  const badId = randomUUID();

  before(async () => {
    up = await startUpstream('backend');
    cp = await startControlPlane();
    dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'nack-1' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'nack-2' })]);
    const s = await http('PUT', `${cp.admin}/services/svc`, { url: up.url });
    const r = await http('PUT', `${cp.admin}/routes/ok`, { paths: ['/ok'], service: { id: s.json().id } });
    good = writtenVersion(r);
    await Promise.all(dps.map((d) => waitForVersion(d.status, good)));
  });

  after(async () => {
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp.proc.stop();
    await up.close();
  });

  test('is NACKed by every data plane, reported, and the old config keeps serving', async () => {
    const db = new Database(cp.dbPath);
    const template = JSON.parse((db.prepare('SELECT body FROM routes WHERE name = ?').get('ok') as { body: string }).body) as Record<string, unknown>;
    const next = (db.prepare('SELECT version FROM config_version').get() as { version: number }).version + 1;
    db.transaction(() => {
      db.prepare('UPDATE config_version SET version = ?').run(next);
      const body = { ...template, id: badId, name: 'from-the-future', paths: ['/future'], expression: 'http.path == "/future"' };
      db.prepare('INSERT INTO routes (id, name, service_id, created_at, version, body) VALUES (?, ?, ?, ?, ?, ?)').run(badId, 'from-the-future', (template['service'] as { id: string }).id, 0, next, JSON.stringify(body));
      db.prepare('INSERT INTO config_changes (version, created_at, summary) VALUES (?, ?, ?)').run(next, 0, 'test: out-of-band write');
    })();
    db.close();

    const trigger = await http('PUT', `${cp.admin}/routes/also-new`, { paths: ['/also-new'], service: { name: 'svc' } });
    assert.equal(trigger.status, 200, trigger.body);
    const rejected = writtenVersion(trigger);

    const rows = await eventually(async () => {
      const body = (await http('GET', `${cp.admin}/clustering/data-planes`)).json<{ data: { id: string; sync_status: string; last_error: string | null; config_version: number }[] }>();
      const bad = body.data.filter((d) => d.sync_status === 'config_rejected');
      return bad.length === 2 ? bad : undefined;
    }, 10_000, 'both data planes to report config_rejected');
    for (const row of rows) {
      assert.match(row.last_error ?? '', /expression|unknown|additional/i);
      assert.equal(row.config_version, good);
    }
    for (const dp of dps) {
      const s = (await http('GET', `${dp.status}/status`)).json();
      assert.equal(s.config_version, good);
      assert.equal((await http('GET', `${dp.proxy}/ok`)).status, 200, 'old config keeps serving');
      // Rejected whole: the valid route from the same push is not half-applied.
      assert.equal((await http('GET', `${dp.proxy}/also-new`)).status, 404);
      assert.equal((await http('GET', `${dp.proxy}/future`)).status, 404);
    }
    assert.ok(rejected > good);
  });

  test('removing the bad entity lets every data plane catch up', async () => {
    const del = await http('DELETE', `${cp.admin}/routes/${badId}`);
    assert.equal(del.status, 204);
    await Promise.all(dps.map((d) => waitForVersion(d.status, writtenVersion(del))));
    for (const dp of dps) assert.equal((await http('GET', `${dp.proxy}/also-new`)).status, 200);
    const body = (await http('GET', `${cp.admin}/clustering/data-planes`)).json<{ data: { sync_status: string }[] }>();
    assert.ok(body.data.every((d) => d.sync_status === 'normal'));
  });
});
