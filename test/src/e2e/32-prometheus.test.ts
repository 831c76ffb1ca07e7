// Kong's prometheus plugin against real processes: configured over the admin
// API, traffic through the proxy (upstream 200s, key-auth 401s, a 404 that no
// route matched), and the data plane's status listener scraped at /metrics
// for exact counts and Kong's labels. With `--workers 2` one scrape is the
// whole node: the workers' counters summed by the primary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, waitForVersion, writtenVersion, type Reply, type Upstream, writeLive } from '../lib/http.js';

/** One request on its own connection (so `--workers` round-robin hands each to the next worker). */
function fresh(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
  });
}

/** The value of one series in a scrape, or undefined when the scrape has no such line. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const requests = (service: string, route: string, code: number, source: string, consumer = ''): string =>
  `kong_http_requests_total{service="${service}",route="${route}",code="${code}",source="${source}",workspace="default",consumer="${consumer}"}`;

describe('prometheus plugin and GET /metrics on the data plane status listener', () => {
  let cp: ControlPlane;
  let dp: DataPlane;
  let up: Upstream;
  let pluginId = '';

  const write = (method: string, path: string, body: unknown): Promise<Reply> => writeLive(cp.admin, [dp.status], method, path, body);
  const scrape = async (statusUrl = dp.status): Promise<string> => {
    const r = await http('GET', `${statusUrl}/metrics`);
    assert.equal(r.status, 200);
    return r.body;
  };
  /** Scrapes until `series` reads `value` (the log phase runs as the response closes, just after the client has it). */
  const expectSample = (text: () => Promise<string>, series: string, value: number): Promise<string> =>
    eventually(async () => {
      const t = await text();
      return sample(t, series) === value ? t : undefined;
    }, 10_000, `${series} ${value}`);

  before(async () => {
    up = await startUpstream('prom');
    cp = await startControlPlane();
    dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'prom-1' });
  });

  after(async () => {
    await dp.proc.stop();
    await cp.proc.stop();
    await up.close();
  });

  test('GET /plugins/enabled lists prometheus; the admin API stores Kong defaults', async () => {
    assert.ok((await http('GET', `${cp.admin}/plugins/enabled`)).json<{ enabled_plugins: string[] }>().enabled_plugins.includes('prometheus'));
    const bad = await http('POST', `${cp.admin}/plugins`, { name: 'prometheus', config: { latency_metrics: 'fast' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json().fields, { config: { latency_metrics: 'expected a boolean' } });
  });

  test('counts 200s from the upstream, 401s from key-auth (source kong), and not a 404 that matched no route', async () => {
    await write('POST', '/services', { name: 'prom-svc', url: up.url });
    await write('POST', '/services/prom-svc/routes', { name: 'prom-route', paths: ['/prom'] });
    await write('POST', '/services/prom-svc/routes', { name: 'prom-auth', paths: ['/prom-auth'] });
    await write('POST', '/routes/prom-auth/plugins', { name: 'key-auth' });
    await write('POST', '/consumers', { username: 'alice' });
    await write('POST', '/consumers/alice/key-auth', { key: 'alice-secret' });
    const p = await write('POST', '/plugins', { name: 'prometheus', config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, per_consumer: true } });
    pluginId = p.json<{ id: string }>().id;

    for (let i = 0; i < 5; i++) assert.equal(await fresh(`${dp.proxy}/prom`), 200);
    for (let i = 0; i < 3; i++) assert.equal(await fresh(`${dp.proxy}/prom-auth`), 401);
    for (let i = 0; i < 2; i++) assert.equal(await fresh(`${dp.proxy}/prom-auth`, { apikey: 'alice-secret' }), 200);
    for (let i = 0; i < 2; i++) assert.equal(await fresh(`${dp.proxy}/no-such-route`), 404);

    const text = await expectSample(scrape, requests('prom-svc', 'prom-auth', 200, 'service', 'alice'), 2);
    assert.equal(sample(text, requests('prom-svc', 'prom-route', 200, 'service')), 5);
    assert.equal(sample(text, requests('prom-svc', 'prom-auth', 401, 'kong')), 3);
    assert.doesNotMatch(text, /^kong_http_requests_total\{[^}]*code="404"/m, 'no service, nothing to count under (Kong)');
    // Every request the proxy received, the 404s included (Kong's nginx total).
    assert.equal(sample(text, 'kong_nginx_requests_total{node_id="prom-1",subsystem="http"}'), 12);
    assert.equal(sample(text, 'kong_request_latency_ms_count{service="prom-svc",route="prom-route",workspace="default"}'), 5);
    assert.equal(sample(text, 'kong_upstream_latency_ms_count{service="prom-svc",route="prom-auth",workspace="default"}'), 2, 'only the proxied requests');
    assert.equal(sample(text, 'kong_kong_latency_ms_count{service="prom-svc",route="prom-auth",workspace="default"}'), 5);
    assert.equal(sample(text, 'kong_kong_latency_ms_bucket{service="prom-svc",route="prom-auth",workspace="default",le="+Inf"}'), 5);
    assert.ok((sample(text, 'kong_bandwidth_bytes{service="prom-svc",route="prom-route",direction="egress",workspace="default",consumer=""}') ?? 0) > 5 * 100);
    assert.ok((sample(text, 'kong_bandwidth_bytes{service="prom-svc",route="prom-auth",direction="ingress",workspace="default",consumer="alice"}') ?? 0) > 0);
    // Node-level series Kong always exports, and prom-client's process metrics.
    assert.match(text, /^kong_node_info\{node_id="prom-1",version="[^"]+"\} 1$/m);
    assert.match(text, /^kong_datastore_reachable 1$/m);
    assert.match(text, /^kong_data_plane_config_hash\{node_id="prom-1",hostname="[^"]+"\} \S+$/m);
    assert.match(text, /^kong_memory_workers_lua_vms_bytes\{node_id="prom-1",pid="\d+",kong_subsystem="http"\} \d+$/m);
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
    const head = await http('GET', `${dp.status}/metrics`);
    assert.equal(head.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  });

  test('counters survive config changes (a route edit, a plugin edit)', async () => {
    await write('PATCH', '/routes/prom-route', { paths: ['/prom', '/prom-too'] });
    await write('PATCH', `/plugins/${pluginId}`, { config: { upstream_health_metrics: false } });
    assert.equal(await fresh(`${dp.proxy}/prom-too`), 200);
    await expectSample(scrape, requests('prom-svc', 'prom-route', 200, 'service'), 6);
  });

  test('kong_upstream_target_health follows upstream_health_metrics', async () => {
    await write('POST', '/upstreams', { name: 'prom-up' });
    await write('POST', '/upstreams/prom-up/targets', { target: `127.0.0.1:${up.port}` });
    await write('POST', '/services', { name: 'prom-up-svc', host: 'prom-up' });
    const off = await scrape();
    assert.doesNotMatch(off, /^kong_upstream_target_health\{/m);
    await write('PATCH', `/plugins/${pluginId}`, { config: { upstream_health_metrics: true } });
    const on = await scrape();
    const series = (state: string) => `kong_upstream_target_health{upstream="prom-up",target="127.0.0.1:${up.port}",address="127.0.0.1:${up.port}",state="${state}",subsystem="http"}`;
    assert.equal(sample(on, series('healthchecks_off')), 1, on);
    assert.equal(sample(on, series('healthy')), 0);
    assert.equal(sample(on, series('unhealthy')), 0);
    assert.equal(sample(on, series('dns_error')), 0);
  });

  describe('with --workers 2', () => {
    let wdp: DataPlane;

    before(async () => {
      wdp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'prom-w', workers: 2 });
      const version = (await http('GET', `${dp.status}/status`)).json<{ config_version: number }>().config_version;
      await waitForVersion(wdp.status, version);
    });

    after(async () => {
      await wdp.proc.stop('SIGKILL');
    });

    test("one scrape sums both workers' counters: the counts equal the requests sent", async () => {
      const N = 10;
      for (let i = 0; i < N; i++) assert.equal(await fresh(`${wdp.proxy}/prom`), 200);
      const text = await expectSample(() => scrape(wdp.status), requests('prom-svc', 'prom-route', 200, 'service'), N);
      assert.equal(sample(text, 'kong_nginx_requests_total{node_id="prom-w",subsystem="http"}'), N);
      assert.equal(sample(text, 'kong_request_latency_ms_count{service="prom-svc",route="prom-route",workspace="default"}'), N);
      const pids = [...text.matchAll(/^kong_memory_workers_lua_vms_bytes\{node_id="prom-w",pid="(\d+)"/gm)].map((m) => Number(m[1]));
      assert.equal(new Set(pids).size, 2, 'one heap series per worker');
      assert.ok(!pids.includes(wdp.proc.pid), 'the primary serves no traffic');
      const status = (await http('GET', `${wdp.status}/status`)).json<{ workers: { list: { pid: number; requests: number }[] } }>();
      assert.ok(status.workers.list.every((w) => w.requests > 0), `both workers served: ${JSON.stringify(status.workers.list)}`);
      const info = text.split('\n').filter((l) => l.startsWith('kong_node_info{'));
      assert.equal(info.length, 1);
      assert.match(info[0]!, /node_id="prom-w".* 1$/, 'node gauges once per node, not summed per worker');
    });

    test("a worker that dies takes its heap series with it but not what it counted", async () => {
      const series = requests('prom-svc', 'prom-route', 200, 'service');
      const before = sample(await scrape(wdp.status), series)!;
      const list = (await http('GET', `${wdp.status}/status`)).json<{ workers: { list: { pid: number }[] } }>().workers.list;
      process.kill(list[0]!.pid, 'SIGKILL');
      await eventually(async () => {
        const l = (await http('GET', `${wdp.status}/status`)).json<{ workers: { list: { pid: number; state: string }[] } }>().workers.list;
        return l.length === 2 && l.every((w) => w.state === 'listening' && w.pid !== list[0]!.pid);
      }, 15_000, 'a replacement worker');
      const text = await scrape(wdp.status);
      assert.equal(sample(text, series), before, 'the node total did not go back');
      assert.doesNotMatch(text, new RegExp(`pid="${list[0]!.pid}"`));
      for (let i = 0; i < 4; i++) assert.equal(await fresh(`${wdp.proxy}/prom`), 200);
      await expectSample(() => scrape(wdp.status), series, before + 4);
    });
  });

  test('a data plane with no prometheus plugin still serves the node metrics', async () => {
    const r = await http('DELETE', `${cp.admin}/plugins/${pluginId}`);
    assert.equal(r.status, 204);
    await waitForVersion(dp.status, writtenVersion(r));
    const text = await scrape();
    assert.match(text, /^kong_nginx_requests_total\{node_id="prom-1",subsystem="http"\} \d+$/m);
    assert.doesNotMatch(text, /^kong_upstream_target_health\{/m, 'no instance asks for upstream health any more');
    // Counted series stay: a counter never goes back (Kong keeps them until restart too).
    assert.equal(sample(text, requests('prom-svc', 'prom-route', 200, 'service')), 6);
  });
});
