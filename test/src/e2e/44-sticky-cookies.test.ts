// Sticky picks through the real proxy. Cookies a pick generates reach the
// client next to the upstream's own Set-Cookie — the balancer's (upstream
// hash_on cookie) and the route split's (backend_hash_on cookie) — and a
// client that sends them back stays put. hash_on uri_capture hashes a group
// of the route's regex path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, waitForVersion, writtenVersion } from '../lib/http.js';

/** An upstream that names itself and sets a cookie of its own. */
async function cookieUpstream(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    const body = JSON.stringify({ upstream: name });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'set-cookie': 'session=upstream-own; Path=/' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const cookies = (h: string | string[] | undefined): string[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);
const named = (list: string[], name: string) => list.find((c) => c.startsWith(`${name}=`));

describe('sticky cookies from the balancer and the route split', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let ups: { server: Server; port: number }[];

  before(async () => {
    ups = await Promise.all(['a', 'b', 'c'].map(cookieUpstream));
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'cookies' });
    const u = await http('POST', `${cp.admin}/upstreams`, { name: 'pool', hash_on: 'cookie', hash_on_cookie: 'lb', algorithm: 'consistent-hashing' });
    assert.equal(u.status, 201, u.body);
    for (const up of ups) assert.equal((await http('POST', `${cp.admin}/upstreams/pool/targets`, { target: `127.0.0.1:${up.port}` })).status, 201);
    await http('POST', `${cp.admin}/services`, { name: 'stable', host: 'pool' });
    await http('POST', `${cp.admin}/services`, { name: 'canary', host: 'pool' });
    const r = await http('POST', `${cp.admin}/routes`, {
      name: 'split',
      paths: ['/app'],
      backends: [{ service: { name: 'stable' }, weight: 50 }, { service: { name: 'canary' }, weight: 50 }],
      backend_hash_on: 'cookie',
      backend_hash_on_cookie: 'cv',
    });
    assert.equal(r.status, 201, r.body);
    await waitForVersion(dp.status, writtenVersion(r));
  });

  after(async () => {
    await dp.proc.stop();
    await cp.proc.stop();
    for (const u of ups) u.server.close();
  });

  test("a first visit gets the upstream's cookie and both sticky cookies; returning with them keeps the same target", async () => {
    for (let visitor = 0; visitor < 10; visitor++) {
      const first = await http('GET', `${dp.proxy}/app`);
      assert.equal(first.status, 200, first.body);
      const set = cookies(first.headers['set-cookie']);
      assert.ok(named(set, 'session'), `upstream cookie kept: ${set.join(' | ')}`);
      const lb = named(set, 'lb');
      const cv = named(set, 'cv');
      assert.ok(lb && cv, `both sticky cookies set: ${set.join(' | ')}`);
      const jar = [lb, cv].map((c) => c.split(';')[0]).join('; ');
      const upstream = first.json().upstream;
      for (let i = 0; i < 5; i++) {
        const again = await http('GET', `${dp.proxy}/app`, undefined, { cookie: jar });
        assert.equal(again.json().upstream, upstream, 'same target while the cookies are sent back');
        const reset = cookies(again.headers['set-cookie']);
        assert.equal(named(reset, 'lb'), undefined, 'no new balancer cookie');
        assert.equal(named(reset, 'cv'), undefined, 'no new split cookie');
      }
    }
  });

  test('hash_on uri_capture: one user always reaches one target, and users spread over targets', async () => {
    const u = await http('POST', `${cp.admin}/upstreams`, { name: 'by-user', algorithm: 'consistent-hashing', hash_on: 'uri_capture', hash_on_uri_capture: 'user' });
    assert.equal(u.status, 201, u.body);
    for (const up of ups) assert.equal((await http('POST', `${cp.admin}/upstreams/by-user/targets`, { target: `127.0.0.1:${up.port}` })).status, 201);
    await http('POST', `${cp.admin}/services`, { name: 'users', host: 'by-user' });
    const r = await http('POST', `${cp.admin}/services/users/routes`, { name: 'users', paths: ['~/u/(?<user>\\w+)'] });
    assert.equal(r.status, 201, r.body);
    await waitForVersion(dp.status, writtenVersion(r));
    const targets = new Set<string>();
    for (let user = 0; user < 30; user++) {
      const first = (await http('GET', `${dp.proxy}/u/user${user}/profile`)).json().upstream as string;
      targets.add(first);
      for (let i = 0; i < 3; i++) assert.equal((await http('GET', `${dp.proxy}/u/user${user}/orders?i=${i}`)).json().upstream, first);
    }
    assert.ok(targets.size > 1, 'different users land on different targets');
  });
});
