// proxy-cache (memory) through the real proxy with a real upstream that
// counts what reaches it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { plugin, route, service, startCompiledProxy, uuid, type CompiledProxy } from '../../compile/test-fixtures.js';
import { send, startUpstream, type Upstream } from '../../proxy/test-support.js';
import { PluginRuntime } from '../runtime.js';
import { MemoryCacheStore } from './memory-store.js';

describe('proxy-cache (memory strategy)', () => {
  let up: Upstream;
  let px: CompiledProxy;
  let hits = 0;
  let now = Date.UTC(2030, 0, 1);
  const SVC = uuid();
  const RT = uuid();
  const OTHER = uuid();
  const PLUGIN = uuid();
  const resources = () => [
    service(SVC, { port: up.port }),
    route(RT, SVC, { paths: ['/c'] }),
    // Stored for 60 s, served for 10: past 10 s a request refreshes the entry.
    plugin(PLUGIN, 'proxy-cache', { strategy: 'memory', cache_ttl: 10, storage_ttl: 60 }, { route: RT }),
  ];

  before(async () => {
    up = await startUpstream((req, res) => {
      hits++;
      if (req.url?.startsWith('/html')) res.writeHead(200, { 'content-type': 'text/html' });
      else if (req.url?.startsWith('/err')) res.writeHead(500, { 'content-type': 'application/json' });
      else if (req.url?.startsWith('/charset')) res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      else res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(JSON.stringify({ n: hits, url: req.url }));
    });
    px = await startCompiledProxy(resources(), new PluginRuntime({ now: () => now }));
  });
  after(async () => {
    await px.close();
    await up.close();
  });

  it('Miss, then Hit served from memory with Age and X-Cache-Key, then Refresh after cache_ttl (within storage_ttl)', async () => {
    const before = hits;
    const miss = await send(px.port, { path: '/c/a' });
    assert.equal(miss.status, 200);
    assert.equal(miss.headers['x-cache-status'], 'Miss');
    const key = miss.headers['x-cache-key'];
    assert.match(String(key), /^[0-9a-f]{64}$/);
    now += 3_000;
    const hit = await send(px.port, { path: '/c/a' });
    assert.equal(hit.headers['x-cache-status'], 'Hit');
    assert.equal(hit.headers['x-cache-key'], key);
    assert.equal(hit.headers['age'], '3');
    assert.equal(hit.headers['x-upstream'], 'yes', 'upstream headers are replayed');
    assert.equal(hit.body.toString(), miss.body.toString());
    assert.equal(hits, before + 1, 'the hit never reached the upstream');
    now += 8_000;
    const refresh = await send(px.port, { path: '/c/a' });
    assert.equal(refresh.headers['x-cache-status'], 'Refresh');
    assert.equal(hits, before + 2);
    assert.equal((await send(px.port, { path: '/c/a' })).headers['x-cache-status'], 'Hit');
  });

  it('query parameters are part of the key, in any order', async () => {
    const a = await send(px.port, { path: '/c/q?b=2&a=1' });
    assert.equal(a.headers['x-cache-status'], 'Miss');
    const b = await send(px.port, { path: '/c/q?a=1&b=2' });
    assert.equal(b.headers['x-cache-status'], 'Hit');
    assert.equal((await send(px.port, { path: '/c/q?a=1&b=3' })).headers['x-cache-status'], 'Miss');
  });

  it('bypasses what Kong would not cache: other methods, status codes and content types (exact params)', async () => {
    assert.equal((await send(px.port, { method: 'POST', path: '/c/a' })).headers['x-cache-status'], 'Bypass');
    for (const path of ['/c/html', '/c/err', '/c/charset']) {
      assert.equal((await send(px.port, { path })).headers['x-cache-status'], 'Bypass', path);
      assert.equal((await send(px.port, { path })).headers['x-cache-status'], 'Bypass', `${path} was not stored`);
    }
  });

  it('entries survive an unrelated swap, and are dropped when the plugin config changes', async () => {
    await send(px.port, { path: '/c/swap' });
    px.apply([...resources(), route(OTHER, SVC, { paths: ['/other'] })]);
    assert.equal((await send(px.port, { path: '/c/swap' })).headers['x-cache-status'], 'Hit', 'unrelated swap');
    px.apply([...resources().filter((r) => r.id !== PLUGIN), plugin(PLUGIN, 'proxy-cache', { strategy: 'memory', cache_ttl: 20 }, { route: RT })]);
    assert.equal((await send(px.port, { path: '/c/swap' })).headers['x-cache-status'], 'Miss', 'plugin config changed');
    px.apply(resources().map((r) => (r.id === RT ? route(RT, SVC, { paths: ['/c'], name: 'renamed' }) : r)));
    assert.equal((await send(px.port, { path: '/c/swap' })).headers['x-cache-status'], 'Miss', 'route changed');
  });

  it('cache_control: honours the response max-age and refuses private responses', async () => {
    const RT2 = uuid();
    const up2 = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': req.url === '/private' ? 'private, max-age=60' : 'public, max-age=5' });
      res.end('x');
    });
    try {
      const SVC2 = uuid();
      px.apply([service(SVC2, { port: up2.port }), route(RT2, SVC2, { paths: ['/cc'] }), plugin(uuid(), 'proxy-cache', { strategy: 'memory', cache_control: true }, { route: RT2 })]);
      assert.equal((await send(px.port, { path: '/cc/public' })).headers['x-cache-status'], 'Miss');
      assert.equal((await send(px.port, { path: '/cc/public' })).headers['x-cache-status'], 'Hit');
      now += 6_000;
      assert.equal((await send(px.port, { path: '/cc/public' })).headers['x-cache-status'], 'Miss', 'stored for max-age only');
      assert.equal((await send(px.port, { path: '/cc/private' })).headers['x-cache-status'], 'Bypass');
      assert.equal((await send(px.port, { path: '/cc/public', headers: { 'cache-control': 'no-cache' } })).headers['x-cache-status'], 'Bypass');
    } finally {
      await up2.close();
    }
  });
});

describe('MemoryCacheStore', () => {
  it('evicts least recently used entries to stay under max_bytes', () => {
    const store = new MemoryCacheStore(4096);
    const entry = (n: number) => ({ status: 200, headers: [], body: Buffer.alloc(n), storedAt: 0, ttl: 60 });
    store.store('a', 'ns', entry(1000), 60);
    store.store('b', 'ns', entry(1000), 60);
    store.store('c', 'ns', entry(1000), 60);
    assert.ok(store.fetch('a') !== undefined); // a is now the most recently used
    store.store('d', 'ns', entry(1000), 60);
    assert.ok(store.bytes <= 4096);
    assert.equal(store.fetch('b'), undefined, 'b was least recently used');
    assert.ok(store.fetch('a') !== undefined && store.fetch('d') !== undefined);
    assert.equal(store.store('huge', 'ns', entry(10_000), 60), false, 'an entry larger than the store is refused');
  });
});
