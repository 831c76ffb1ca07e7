// Declarative config end to end: the real `portico config` CLI against a real
// control plane, with two real data planes serving what it applies, and a
// rollback over the admin API reaching both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, LAUNCH_ENV, startControlPlane, startDataPlane, tempDir, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, startUpstream, waitForVersion, writtenVersion, type Upstream } from '../lib/http.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function portico(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, ...LAUNCH_ENV, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const kongYml = (upstream: string, extraRoute = '') => `_format_version: "3.0"
services:
  - name: orders
    url: ${upstream}/api
    routes:
      - name: orders-r
        paths: [/orders]
${extraRoute}  - name: users
    url: ${upstream}/users-api
    routes:
      - name: users-r
        paths: [/users]
consumers:
  - username: alice
    keyauth_credentials:
      - key: alice-secret-key
`;

describe('portico config: apply, diff, dump, rollback', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let v1: Upstream;
  let v2: Upstream;
  const dir = tempDir('portico-decl-');
  let admin: Record<string, string>;
  let firstVersion = 0;

  const served = async (path: string) => Promise.all(dps.map(async (d) => (await http('GET', `${d.proxy}${path}`)).json<{ upstream?: string; path?: string }>()));
  const currentVersion = async () => Number((await http('GET', `${cp.admin}/status`)).json().config_version);

  before(async () => {
    [v1, v2] = await Promise.all([startUpstream('v1'), startUpstream('v2')]);
    cp = await startControlPlane();
    dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'dp-a' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'dp-b' })]);
    // The admin URL through the environment, as an operator's shell would set it.
    admin = { PORTICO_ADMIN_URL: cp.admin };
  });

  after(async () => {
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp.proc.stop();
    await Promise.all([v1.close(), v2.close()]);
  });

  test('config apply creates what kong.yml declares and both data planes serve it', async () => {
    const file = join(dir, 'kong.yml');
    writeFileSync(file, kongYml(v1.url));
    const run = await portico(['config', 'apply', file], admin);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^creating service orders$/m);
    assert.match(run.stdout, /^creating route users-r$/m);
    assert.match(run.stdout, /^creating key-auth /m);
    assert.ok(!run.stdout.includes('alice-secret-key'), 'a credential key is never printed');
    assert.match(run.stdout, /Created: 6\n {2}Updated: 0\n {2}Deleted: 0/);
    firstVersion = Number(/applied: config version (\d+)/.exec(run.stdout)?.[1]);
    assert.ok(firstVersion >= 1);
    await Promise.all(dps.map((d) => waitForVersion(d.status, firstVersion)));
    for (const body of await served('/orders/1')) assert.deepEqual([body.upstream, body.path], ['v1', '/api/1']);
    for (const body of await served('/users/2')) assert.deepEqual([body.upstream, body.path], ['v1', '/users-api/2']);
  });

  test('config diff prints what a changed file would change, and changes nothing', async () => {
    const file = join(dir, 'kong-v2.yml');
    writeFileSync(file, kongYml(v2.url).replace(/      - name: users-r\n        paths: \[\/users\]\n/, '      - name: users-r2\n        paths: [/people]\n'));
    const run = await portico(['config', 'diff', file, '--admin-url', cp.admin]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^deleting route users-r$/m);
    assert.match(run.stdout, /^creating route users-r2$/m);
    assert.match(run.stdout, new RegExp(`^updating service orders \\{port: ${v1.port} → ${v2.port}\\}$`, 'm'));
    assert.match(run.stdout, /Created: 1\n {2}Updated: 2\n {2}Deleted: 1/);
    // decK's convention: exit 2 on a diff only when asked to.
    assert.equal((await portico(['config', 'diff', file, '--non-zero-exit-code'], admin)).code, 2);
    assert.equal(await currentVersion(), firstVersion);
  });

  test('config apply of the changed file goes live on both data planes in one version', async () => {
    const run = await portico(['config', 'apply', join(dir, 'kong-v2.yml')], admin);
    assert.equal(run.code, 0, run.stderr);
    const version = Number(/applied: config version (\d+)/.exec(run.stdout)?.[1]);
    assert.equal(version, firstVersion + 1);
    await Promise.all(dps.map((d) => waitForVersion(d.status, version)));
    for (const body of await served('/orders/1')) assert.equal(body.upstream, 'v2');
    for (const body of await served('/people/3')) assert.deepEqual([body.upstream, body.path], ['v2', '/users-api/3']);
    for (const dp of dps) assert.equal((await http('GET', `${dp.proxy}/users/2`)).status, 404);
    assert.equal((await portico(['config', 'diff', join(dir, 'kong-v2.yml'), '--non-zero-exit-code'], admin)).code, 0, 'no diff left');
  });

  test('config dump round-trips: apply of the dump changes nothing and a second dump is byte-identical', async () => {
    const version = await currentVersion();
    for (const format of ['yaml', 'json']) {
      const out = join(dir, `dump.${format}`);
      const dump = await portico(['config', 'dump', '-o', out, '--format', format], admin);
      assert.equal(dump.code, 0, dump.stderr);
      const text = readFileSync(out, 'utf8');
      assert.match(text, format === 'yaml' ? /^_format_version: "3.0"$/m : /"_format_version": "3.0"/);
      const apply = await portico(['config', 'apply', out], admin);
      assert.equal(apply.code, 0, apply.stderr);
      assert.match(apply.stdout, /Created: 0\n {2}Updated: 0\n {2}Deleted: 0/);
      assert.equal(await currentVersion(), version);
      const again = await portico(['config', 'dump', '--format', format], admin);
      assert.equal(again.stdout, text);
    }
  });

  test('config apply --dry-run and an invalid file change nothing; the invalid file exits 1 with Kong\'s message', async () => {
    const version = await currentVersion();
    const dry = await portico(['config', 'apply', join(dir, 'kong.yml'), '--dry-run'], admin);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^creating route users-r$/m);
    assert.doesNotMatch(dry.stdout, /applied/);
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, kongYml(v1.url).replace('paths: [/orders]', 'paths: [orders]'));
    const run = await portico(['config', 'apply', bad], admin);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^Error: declarative config is invalid: \{services=\{\{routes=\{\{paths=\{"should start with: \/ \(fixed path\) or ~\/ \(regex path\)"\}\}\}\}\}\}$/m);
    assert.match(run.stderr, /route orders-r: paths\.1: should start with/);
    assert.equal(await currentVersion(), version);
    for (const body of await served('/orders/1')) assert.equal(body.upstream, 'v2');
  });

  test('POST /config/rollback to the first version is served by both data planes', async () => {
    const res = await http('POST', `${cp.admin}/config/rollback`, { version: firstVersion });
    assert.equal(res.status, 200, res.body);
    const version = writtenVersion(res);
    assert.ok(version > firstVersion);
    await Promise.all(dps.map((d) => waitForVersion(d.status, version)));
    for (const body of await served('/orders/1')) assert.equal(body.upstream, 'v1');
    for (const body of await served('/users/2')) assert.equal(body.upstream, 'v1');
    for (const dp of dps) assert.equal((await http('GET', `${dp.proxy}/people/3`)).status, 404);
    // The first file describes the restored state exactly.
    assert.equal((await portico(['config', 'diff', join(dir, 'kong.yml'), '--non-zero-exit-code'], admin)).code, 0);
    const versions = (await http('GET', `${cp.admin}/config/versions?size=1`)).json();
    assert.equal(versions.data[0].summary, `rollback to version ${firstVersion}`);
  });

  test('an unreachable admin API, a missing token and a missing FILE are error exits, not stack traces', async () => {
    const run = await portico(['config', 'dump', '--admin-url', 'http://127.0.0.1:1'], {});
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^Error: cannot reach the admin API at http:\/\/127\.0\.0\.1:1/);
    const usage = await portico(['config', 'apply'], admin);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /expected one FILE argument/);
    const token = 'declarative-admin-token-0123456789';
    const guarded = await startControlPlane({ env: { PORTICO_ADMIN_TOKEN: token } });
    try {
      const denied = await portico(['config', 'dump', '--admin-url', guarded.admin]);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /^Error: Unauthorized$/m);
      const allowed = await portico(['config', 'dump', '--admin-url', guarded.admin], { PORTICO_ADMIN_TOKEN: token });
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(allowed.stdout, /^_format_version: "3.0"$/m);
    } finally {
      await guarded.proc.stop();
    }
  });
});
