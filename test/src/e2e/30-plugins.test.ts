// Kong's getting-started, driven through the admin API against real
// processes: key-auth on a route, rate-limiting (local) on two data planes,
// proxy-cache Miss → Hit → expiry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, startUpstream, type Reply, type Upstream, writeLive } from '../lib/http.js';

describe('plugins through the admin API (key-auth, rate-limiting, proxy-cache)', () => {
  let cp: ControlPlane;
  let dps: DataPlane[];
  let up: Upstream;
  let echoUp: Upstream;

  /** Every admin write must succeed; returns the reply after both data planes applied it. */
  const write = (method: string, path: string, body: unknown): Promise<Reply> => writeLive(cp.admin, dps.map((d) => d.status), method, path, body);

  before(async () => {
    up = await startUpstream('plain');
    // An upstream that reports the headers it received (for X-Consumer-*).
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      const body = JSON.stringify({ headers: req.headers, url: req.url });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    echoUp = { server, port, url: `http://127.0.0.1:${port}`, hits: 0, close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }) };
    cp = await startControlPlane();
    dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'pl-1' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'pl-2' })]);
  });

  after(async () => {
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp.proc.stop();
    await up.close();
    await echoUp.close();
  });

  test('key-auth: 401 without a key, 200 with the consumer key and X-Consumer-* headers upstream', async () => {
    await write('POST', '/services', { name: 'auth-svc', url: echoUp.url });
    await write('POST', '/services/auth-svc/routes', { name: 'auth-route', paths: ['/auth'] });
    await write('POST', '/routes/auth-route/plugins', { name: 'key-auth' });
    await write('POST', '/consumers', { username: 'luka', custom_id: 'luka-1' });
    const cred = await write('POST', '/consumers/luka/key-auth', { key: 'top-secret' });
    const credId = cred.json<{ id: string }>().id;

    for (const dp of dps) {
      const none = await http('GET', `${dp.proxy}/auth`);
      assert.equal(none.status, 401);
      assert.equal(none.json().message, 'No API key found in request');
      assert.match(String(none.headers['www-authenticate']), /^Key realm=/);
      const bad = await http('GET', `${dp.proxy}/auth`, undefined, { apikey: 'wrong' });
      assert.equal(bad.status, 401);
      assert.equal(bad.json().message, 'Invalid authentication credentials');
      const ok = await http('GET', `${dp.proxy}/auth`, undefined, { apikey: 'top-secret' });
      assert.equal(ok.status, 200, ok.body);
      const h = ok.json<{ headers: Record<string, string> }>().headers;
      assert.equal(h['x-consumer-username'], 'luka');
      assert.equal(h['x-consumer-custom-id'], 'luka-1');
      assert.equal(h['x-credential-identifier'], credId);
      assert.ok(h['x-consumer-id']);
    }
    // Keys never reach a log line.
    assert.ok(!dps.some((d) => d.proc.raw.some((l) => l.includes('top-secret'))), 'a data plane logged the key');
  });

  test('rate-limiting minute=5 (local): the 6th request is 429, each data plane counting on its own', async () => {
    await write('POST', '/services', { name: 'rl-svc', url: up.url });
    await write('POST', '/services/rl-svc/routes', { name: 'rl-route', paths: ['/limited'] });
    await write('POST', '/services/rl-svc/plugins', { name: 'rate-limiting', config: { minute: 5, policy: 'local' } });
    // Stay clear of a minute boundary: the window must not roll over mid-test.
    const s = new Date().getUTCSeconds();
    if (s > 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    for (const dp of dps) {
      for (let i = 1; i <= 5; i++) {
        const r = await http('GET', `${dp.proxy}/limited`);
        assert.equal(r.status, 200, `${dp.nodeId} request ${i}`);
        assert.equal(r.headers['x-ratelimit-limit-minute'], '5');
        assert.equal(r.headers['x-ratelimit-remaining-minute'], String(5 - i));
        assert.equal(r.headers['ratelimit-limit'], '5');
      }
      const sixth = await http('GET', `${dp.proxy}/limited`);
      assert.equal(sixth.status, 429, `${dp.nodeId} 6th request`);
      assert.equal(sixth.json().message, 'API rate limit exceeded');
      assert.equal(sixth.headers['ratelimit-remaining'], '0');
      assert.ok(Number(sixth.headers['retry-after']) >= 1);
    }
  });

  test('rate-limiting policy redis is refused by the admin API (not implemented yet)', async () => {
    const r = await http('POST', `${cp.admin}/services/rl-svc/plugins`, { name: 'rate-limiting', config: { hour: 50, policy: 'redis', redis: { host: '127.0.0.1' } } });
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /not supported/);
  });

  test('proxy-cache (memory): Miss, then Hit, then Miss once the entry expired', async () => {
    await write('POST', '/services', { name: 'cache-svc', url: up.url });
    await write('POST', '/services/cache-svc/routes', { name: 'cache-route', paths: ['/cached'] });
    await write('POST', '/services/cache-svc/plugins', { name: 'proxy-cache', config: { strategy: 'memory', cache_ttl: 1, content_type: ['application/json'] } });
    const dp = dps[0]!;
    const hitsBefore = up.hits;
    const miss = await http('GET', `${dp.proxy}/cached/item`);
    assert.equal(miss.status, 200);
    assert.equal(miss.headers['x-cache-status'], 'Miss');
    const hit = await http('GET', `${dp.proxy}/cached/item`);
    assert.equal(hit.headers['x-cache-status'], 'Hit');
    assert.equal(hit.headers['x-cache-key'], miss.headers['x-cache-key']);
    assert.equal(hit.body, miss.body);
    assert.equal(up.hits, hitsBefore + 1, 'the hit was served by the gateway');
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal((await http('GET', `${dp.proxy}/cached/item`)).headers['x-cache-status'], 'Miss', 'expired after cache_ttl');
  });
});
