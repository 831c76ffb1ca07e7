// prometheus through the real proxy: compile() from stored bodies, a real
// upstream, key-auth answering 401s, and the process's metrics scraped the way
// the status listener does.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Resource } from '@portico/shared';
import { consumer, keyAuthCredential, plugin, route, service, startCompiledProxy, uuid, type CompiledProxy } from '../../compile/test-fixtures.js';
import { mergeSnapshots } from '../../metrics/scrape.js';
import { closedPort, send, startUpstream, type Upstream } from '../../proxy/test-support.js';
import { PluginRuntime } from '../runtime.js';
import { createPrometheus } from './handler.js';

const ALL_ON = { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, per_consumer: true };

/** One raw request on its own connection; resolves with every byte the proxy sent back (it closes: `connection: close`). */
function raw(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => s.write(request));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

describe('prometheus', () => {
  let up: Upstream;
  let px: CompiledProxy;
  const SVC = uuid();
  const BARE_SVC = uuid();
  const DEAD = uuid();
  const OPEN = uuid();
  const PRIVATE = uuid();
  const BYTES = uuid();
  const BARE = uuid();
  const DEAD_RT = uuid();
  const ALICE = uuid();
  const CUSTOM = uuid();
  let resources: Resource[];

  const scrape = async (): Promise<string> => mergeSnapshots([await px.runtime.metrics.snapshot()]);
  /** The log phase runs when the response closes, a moment after the client read it: poll. */
  const scrapeUntil = async (re: RegExp): Promise<string> => {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const text = await scrape();
      if (re.test(text) || Date.now() > deadline) return text;
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const requests = (service: string, route: string, code: number, source: string, consumer = '') =>
    `kong_http_requests_total{service="${service}",route="${route}",code="${code}",source="${source}",workspace="default",consumer="${consumer}"}`;

  before(async () => {
    up = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end('ok');
      });
    });
    resources = [
      service(SVC, { name: 'svc', port: up.port }),
      service(BARE_SVC, { port: up.port }),
      service(DEAD, { name: 'dead', port: await closedPort(), retries: 0 }),
      route(OPEN, SVC, { name: 'open', paths: ['/open'] }),
      route(PRIVATE, SVC, { paths: ['/private'] }),
      route(BYTES, SVC, { name: 'bytes', paths: ['/bytes'] }),
      route(BARE, BARE_SVC, { name: 'bare', paths: ['/bare'] }),
      route(DEAD_RT, DEAD, { name: 'dead', paths: ['/dead'] }),
      consumer(ALICE, { username: 'alice' }),
      consumer(CUSTOM, { custom_id: 'c-42' }),
      keyAuthCredential(uuid(), ALICE, 'alice-key'),
      keyAuthCredential(uuid(), CUSTOM, 'custom-key'),
      plugin(uuid(), 'key-auth', {}, { route: PRIVATE }),
      plugin(uuid(), 'prometheus', ALL_ON),
    ];
    px = await startCompiledProxy(resources, new PluginRuntime());
  });
  after(async () => {
    await px.close();
    await up.close();
  });

  it('counts responses by service, route, status, source and consumer; key-auth 401s count as source kong; no route, no count', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await send(px.port, { path: '/open' })).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await send(px.port, { path: '/private' })).status, 401);
    assert.equal((await send(px.port, { path: '/private', headers: { apikey: 'alice-key' } })).status, 200);
    assert.equal((await send(px.port, { path: '/private', headers: { apikey: 'custom-key' } })).status, 200);
    assert.equal((await send(px.port, { path: '/nowhere' })).status, 404);
    assert.equal((await send(px.port, { path: '/dead' })).status, 502);

    const text = await scrapeUntil(/code="502"/);
    const count = (series: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    assert.equal(count(requests('svc', 'open', 200, 'service')), 3);
    // An unnamed route is labelled by its id (Kong: route.name or route.id).
    assert.equal(count(requests('svc', PRIVATE, 401, 'kong')), 2);
    assert.equal(count(requests('svc', PRIVATE, 200, 'service', 'alice')), 1);
    assert.equal(count(requests('svc', PRIVATE, 200, 'service', 'c-42')), 1, 'no username: the custom_id');
    assert.equal(count(requests('dead', 'dead', 502, 'kong')), 1, "the gateway's own 502");
    assert.doesNotMatch(text, /code="404"/, 'a request no route matched has no service to count under');

    assert.equal(count('kong_request_latency_ms_count{service="svc",route="open",workspace="default"}'), 3);
    assert.equal(count('kong_upstream_latency_ms_count{service="svc",route="open",workspace="default"}'), 3);
    assert.equal(count('kong_kong_latency_ms_count{service="svc",route="open",workspace="default"}'), 3);
    assert.equal(count(`kong_request_latency_ms_count{service="svc",route="${PRIVATE}",workspace="default"}`), 4);
    assert.equal(count(`kong_upstream_latency_ms_count{service="svc",route="${PRIVATE}",workspace="default"}`), 2, 'only the proxied ones');
    assert.equal(count('kong_upstream_latency_ms_count{service="dead",route="dead",workspace="default"}'), undefined, 'no upstream answered');
    assert.equal(count('kong_kong_latency_ms_count{service="dead",route="dead",workspace="default"}'), 1);
    assert.match(text, /^kong_request_latency_ms_bucket\{service="svc",route="open",workspace="default",le="60000"\} 3$/m);
  });

  it('counts the exact bytes each request took in and sent out on its connection (kong_bandwidth_bytes)', async () => {
    const request = 'GET /bytes HTTP/1.1\r\nhost: example.com\r\nx-pad: 0123456789\r\nconnection: close\r\n\r\n';
    const first = await raw(px.port, request);
    const second = await raw(px.port, request);
    assert.match(first.toString(), /^HTTP\/1\.1 200/);
    const ingress = 'kong_bandwidth_bytes{service="svc",route="bytes",direction="ingress",workspace="default",consumer=""}';
    const egress = 'kong_bandwidth_bytes{service="svc",route="bytes",direction="egress",workspace="default",consumer=""}';
    const want = `${egress} ${first.length + second.length}`;
    const text = await scrapeUntil(new RegExp(want.replace(/[{}()[\]."+]/g, '\\$&')));
    assert.ok(text.includes(`${ingress} ${2 * Buffer.byteLength(request)}\n`), text);
    assert.ok(text.includes(`${want}\n`), text);
  });

  it('labels a service without a name by its host (Kong: service.name or service.host)', async () => {
    assert.equal((await send(px.port, { path: '/bare' })).status, 200);
    const text = await scrapeUntil(/route="bare",code="200"/);
    assert.ok(text.includes(`${requests('127.0.0.1', 'bare', 200, 'service')} 1\n`), text);
  });

  it('keeps counting across config swaps; a renamed route starts a series of its own', async () => {
    px.apply([...resources, route(uuid(), SVC, { name: 'another', paths: ['/another'] })]);
    assert.equal((await send(px.port, { path: '/open' })).status, 200);
    let text = await scrapeUntil(new RegExp(`${requests('svc', 'open', 200, 'service').replace(/[{}()[\]."+]/g, '\\$&')} 4`));
    assert.ok(text.includes(`${requests('svc', 'open', 200, 'service')} 4\n`), 'the counter went on from 3');

    px.apply(resources.map((r) => (r.id === OPEN ? route(OPEN, SVC, { name: 'opened', paths: ['/open'] }) : r)));
    assert.equal((await send(px.port, { path: '/open' })).status, 200);
    text = await scrapeUntil(/route="opened",code="200"/);
    assert.ok(text.includes(`${requests('svc', 'opened', 200, 'service')} 1\n`), text);
    assert.ok(text.includes(`${requests('svc', 'open', 200, 'service')} 4\n`), 'the old series keeps its value');
  });

  it('with every per-request switch off there is no log phase; upstream_health_metrics is remembered per instance', () => {
    const runtime = new PluginRuntime();
    const env = { pluginId: 'p1', configDigest: 'd', runtime };
    const off = { per_consumer: true, status_code_metrics: false, ai_metrics: false, latency_metrics: false, bandwidth_metrics: false, upstream_health_metrics: true };
    const instance = createPrometheus(off, env);
    assert.equal(instance.bindRoute, undefined);
    assert.equal(instance.handlers.log, undefined);
    assert.equal(runtime.metrics.upstreamHealthExported, true);
    runtime.retain(new Set(), new Set());
    assert.equal(runtime.metrics.upstreamHealthExported, false, 'a swap without the instance forgets it');
  });
});
