// Kong's "Get started with Kong Gateway" guide, typed as its curl commands
// are (form-encoded `--data`), against a real control plane and data plane,
// with local upstreams in place of httpbin.konghq.com / httpbun.com. Each step
// checks the answer Kong's guide documents.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, startUpstream, waitForVersion, writtenVersion, type Reply, type Upstream } from '../lib/http.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe("Kong's getting-started guide, verbatim", () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let httpbin: Upstream;
  let httpbun: Upstream;
  /** `curl -X METHOD :8001/path --data a=b --data c=d` */
  let admin: (method: string, path: string, ...data: string[]) => Promise<Reply>;
  /** Waits until the data plane serves what the last admin write produced. */
  let live: (r: Reply) => Promise<void>;
  const proxy = (path: string, headers: Record<string, string> = {}) => http('GET', `${dp.proxy}${path}`, undefined, headers);

  before(async () => {
    [httpbin, httpbun] = await Promise.all([startUpstream('httpbin'), startUpstream('httpbun')]);
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'guide' });
    admin = (method, path, ...data) => http(method, `${cp.admin}${path}`, data.length ? data.join('&') : undefined, data.length ? FORM : {});
    live = async (r) => {
      await waitForVersion(dp.status, writtenVersion(r));
    };
  });

  after(async () => {
    await dp.proc.stop();
    await cp.proc.stop();
    await Promise.all([httpbin.close(), httpbun.close()]);
  });

  test('services and routes', async () => {
    const created = await admin('POST', '/services', 'name=example_service', `url=${encodeURIComponent(httpbin.url)}`);
    assert.equal(created.status, 201, created.body);
    assert.equal(created.json().host, '127.0.0.1');
    assert.equal((await admin('GET', '/services/example_service')).json().name, 'example_service');
    const patched = await admin('PATCH', '/services/example_service', 'retries=6');
    assert.equal(patched.json().retries, 6);
    assert.equal((await admin('GET', '/services')).json().data.length, 1);

    const route = await admin('POST', '/services/example_service/routes', 'name=example_route', 'paths[]=/mock');
    assert.equal(route.status, 201, route.body);
    assert.deepEqual(route.json().paths, ['/mock']);
    assert.equal((await admin('GET', '/services/example_service/routes/example_route')).json().name, 'example_route');
    const tagged = await admin('PATCH', '/services/example_service/routes/example_route', 'tags=tutorial');
    assert.deepEqual(tagged.json().tags, ['tutorial']);
    assert.equal((await admin('GET', '/routes')).json().data.length, 1);

    await live(tagged);
    const res = await proxy('/mock/anything');
    assert.equal(res.status, 200);
    assert.equal(res.json().upstream, 'httpbin');
    assert.equal(res.json().path, '/anything');
  });

  test('rate limiting: the 6th request in a minute is refused', async (t) => {
    // The guide's loop fires six requests at once; a minute boundary inside it would reset the window.
    const s = new Date().getSeconds();
    if (s > 55) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    const plugin = await admin('POST', '/plugins', 'name=rate-limiting', 'config.minute=5', 'config.policy=local');
    assert.equal(plugin.status, 201, plugin.body);
    assert.equal(plugin.json().config.minute, 5);
    await live(plugin);
    const statuses: number[] = [];
    let last!: Reply;
    for (let i = 0; i < 6; i++) {
      last = await proxy('/mock/anything');
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.equal(last.json().message, 'API rate limit exceeded');
    assert.equal(last.headers['x-ratelimit-limit-minute'], '5');
    t.after(async () => {
      await live(await admin('DELETE', `/plugins/${plugin.json().id}`));
    });
  });

  test('proxy caching: Miss, then Hit', async (t) => {
    const plugin = await admin('POST', '/plugins', 'name=proxy-cache', 'config.request_method=GET', 'config.response_code=200', 'config.content_type=application/json', 'config.cache_ttl=30', 'config.strategy=memory');
    assert.equal(plugin.status, 201, plugin.body);
    await live(plugin);
    const first = await proxy('/mock/anything');
    const second = await proxy('/mock/anything');
    assert.equal(first.headers['x-cache-status'], 'Miss');
    assert.equal(second.headers['x-cache-status'], 'Hit');
    assert.equal(second.body, first.body);
    t.after(async () => {
      await live(await admin('DELETE', `/plugins/${plugin.json().id}`));
    });
  });

  test('key authentication', async (t) => {
    const plugin = await admin('POST', '/plugins', 'name=key-auth');
    assert.equal(plugin.status, 201, plugin.body);
    assert.deepEqual(plugin.json().config.key_names, ['apikey']);
    await live(plugin);
    const denied = await proxy('/mock/anything');
    assert.equal(denied.status, 401);
    assert.equal(denied.json().message, 'No API key found in request');

    assert.equal((await admin('POST', '/consumers', 'username=luka')).status, 201);
    const key = await admin('POST', '/consumers/luka/key-auth', 'key=top-secret-key');
    assert.equal(key.status, 201, key.body);
    await live(key);
    const ok = await proxy('/mock/anything', { apikey: 'top-secret-key' });
    assert.equal(ok.status, 200);
    const wrong = await proxy('/mock/anything', { apikey: 'bad-key' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json().message, 'Invalid authentication credentials');

    const disabled = await admin('PATCH', `/plugins/${plugin.json().id}`, 'enabled=false');
    assert.equal(disabled.json().enabled, false);
    await live(disabled);
    assert.equal((await proxy('/mock/anything')).status, 200);
    t.after(async () => {
      await live(await admin('DELETE', `/plugins/${plugin.json().id}`));
    });
  });

  test('load balancing over an upstream with two targets', async () => {
    assert.equal((await admin('POST', '/upstreams', 'name=example_upstream')).status, 201);
    const t1 = await admin('POST', '/upstreams/example_upstream/targets', `target=127.0.0.1:${httpbin.port}`);
    const t2 = await admin('POST', '/upstreams/example_upstream/targets', `target=127.0.0.1:${httpbun.port}`);
    assert.equal(t1.status, 201, t1.body);
    assert.equal(t2.status, 201, t2.body);
    assert.equal(t1.json().weight, 100);
    const svc = await admin('PATCH', '/services/example_service', 'host=example_upstream');
    assert.equal(svc.status, 200, svc.body);
    await live(svc);
    const seen: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      const r = await proxy('/mock/headers');
      assert.equal(r.status, 200);
      const name = r.json<{ upstream: string }>().upstream;
      seen[name] = (seen[name] ?? 0) + 1;
    }
    assert.deepEqual(seen, { httpbin: 10, httpbun: 10 });
  });
});
