// Forwarding through the real proxy to real node:http upstreams: streaming
// both ways, header rewriting (hop-by-hop, X-Forwarded-*, Host, Via,
// latencies), path joining and query passthrough.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { echo, json, makeConfig, makeRoute, makeService, send, startProxy, startUpstream, collect, type RunningProxy, type Upstream } from './test-support.js';

type Echo = { method: string; url: string; headers: Record<string, string>; rawHeaders: string[]; body: string };

describe('forwarding', () => {
  let up: Upstream;
  let px: RunningProxy;
  before(async () => {
    up = await startUpstream(echo);
    const svc = makeService(up.port, { path: '/base' });
    px = await startProxy(
      makeConfig([
        { prefix: '/api', route: makeRoute(svc) },
        { prefix: '/keep', route: makeRoute(svc, { stripPath: false, preserveHost: true }) },
        { prefix: '/', route: makeRoute(makeService(up.port), { stripPath: false }) },
      ]),
    );
  });
  after(async () => {
    await px.close();
    await up.close();
  });

  test('strip_path joins the service path and passes the query string untouched', async () => {
    const r = await send(px.port, { path: '/api/users/42?b=2&a=1&x=%2F%20&&empty=' });
    assert.equal(r.status, 200);
    assert.equal(json<Echo>(r).url, '/base/users/42?b=2&a=1&x=%2F%20&&empty=');
  });

  test('a trailing bare "?" is kept, as Kong does', async () => {
    const r = await send(px.port, { path: '/api/x?' });
    assert.equal(json<Echo>(r).url, '/base/x?');
  });

  test('every X-Forwarded-* header and X-Real-IP are set as Kong sets them (client values replaced, XFF appended)', async () => {
    const r = await send(px.port, {
      path: '/api/things?q=1',
      headers: {
        host: 'Example.COM:8000',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.test',
        'x-forwarded-port': '1',
        'x-forwarded-path': '/evil',
        'x-forwarded-prefix': '/evil',
        'x-real-ip': '6.6.6.6',
      },
    });
    const h = json<Echo>(r).headers;
    assert.equal(h['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-host'], 'example.com');
    assert.equal(h['x-forwarded-port'], String(px.port));
    assert.equal(h['x-forwarded-path'], '/api/things');
    assert.equal(h['x-forwarded-prefix'], '/api');
    assert.equal(h['x-real-ip'], '127.0.0.1');
    assert.equal(h.via, `1.1 portico/0.0.0-test`);
  });

  test('X-Forwarded-Prefix is absent when strip_path removed nothing; X-Forwarded-For is the client alone when absent', async () => {
    const h = json<Echo>(await send(px.port, { path: '/keep/x' })).headers;
    assert.equal(h['x-forwarded-prefix'], undefined);
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
  });

  test('Host is the service host:port, or the client Host when the route preserves it', async () => {
    const a = json<Echo>(await send(px.port, { path: '/api/x', headers: { host: 'client.test' } })).headers;
    assert.equal(a.host, `127.0.0.1:${up.port}`);
    const b = json<Echo>(await send(px.port, { path: '/keep/x', headers: { host: 'client.test:9' } })).headers;
    assert.equal(b.host, 'client.test:9');
  });

  test('hop-by-hop request headers, and the headers Connection names, never reach the upstream', async () => {
    const r = await send(px.port, {
      path: '/api/x',
      headers: {
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': '1',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        upgrade: 'h2c',
        'x-end-to-end': 'yes',
      },
    });
    const h = json<Echo>(r).headers;
    for (const name of ['x-secret-hop', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'upgrade']) {
      assert.equal(h[name], undefined, `${name} forwarded`);
    }
    assert.equal(h['x-end-to-end'], 'yes');
  });

  test('duplicate request headers arrive as separate lines with their original case', async () => {
    const raw = json<Echo>(await send(px.port, { path: '/api/x', headers: { 'X-Dup': ['a', 'b'] } })).rawHeaders;
    const dups = raw.filter((_, i) => i % 2 === 0 && raw[i] === 'X-Dup').length;
    assert.equal(dups, 2);
  });

  test('response: hop-by-hop headers dropped, Via appended, latency headers and Server added', async () => {
    const hop = await startUpstream((_req, res) => {
      res.writeHead(200, {
        connection: 'keep-alive, x-upstream-hop',
        'x-upstream-hop': '1',
        'keep-alive': 'timeout=30',
        'proxy-authenticate': 'Basic',
        trailer: 'x-t',
        upgrade: 'h2c',
        via: '1.0 upstream-cache',
        'set-cookie': ['a=1', 'b=2'],
      });
      res.end('ok');
    });
    const local = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(hop.port)) }]));
    try {
      const r = await send(local.port, { path: '/' });
      assert.equal(r.body.toString(), 'ok');
      for (const name of ['x-upstream-hop', 'keep-alive', 'proxy-authenticate', 'trailer', 'upgrade']) assert.equal(r.headers[name], undefined, `${name} relayed`);
      assert.equal(r.headers.via, '1.0 upstream-cache, 1.1 portico/0.0.0-test');
      assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
      assert.match(String(r.headers['x-portico-upstream-latency']), /^\d+$/);
      assert.match(String(r.headers['x-portico-proxy-latency']), /^\d+$/);
      assert.equal(r.headers.server, 'portico/0.0.0-test');
    } finally {
      await local.close();
      await hop.close();
    }
  });

  test('a multi-megabyte download arrives intact (streamed, content-length kept)', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
    const dl = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': String(big.length) });
      // Several writes, so the body crosses the proxy as a stream.
      for (let off = 0; off < big.length; off += 1024 * 1024) res.write(big.subarray(off, off + 1024 * 1024));
      res.end();
    });
    const local = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(dl.port)) }]));
    try {
      const r = await send(local.port, { path: '/big' });
      assert.equal(r.headers['content-length'], String(big.length));
      assert.equal(createHash('sha256').update(r.body).digest('hex'), createHash('sha256').update(big).digest('hex'));
    } finally {
      await local.close();
      await dl.close();
    }
  });

  test('an upload streams: the upstream gets the first chunk before the client has finished sending', async () => {
    let firstChunkSeen!: () => void;
    const seen = new Promise<void>((r) => (firstChunkSeen = r));
    let received = 0;
    const ul = await startUpstream((req, res) => {
      req.on('data', (c: Buffer) => {
        if (received === 0) firstChunkSeen();
        received += c.length;
      });
      req.on('end', () => res.end(String(received)));
    });
    const local = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(ul.port)) }]));
    try {
      const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: local.port, method: 'POST', path: '/up', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) =>
          void collect(res).then((b) => resolve({ status: res.statusCode ?? 0, body: b.toString() }), reject),
        );
        req.on('error', reject);
        req.write(Buffer.alloc(64 * 1024, 1));
        // The rest is only sent once the upstream has seen the first chunk:
        // a buffering proxy would deadlock here (and the test time out).
        void seen.then(() => {
          for (let i = 0; i < 31; i++) req.write(Buffer.alloc(64 * 1024, 2));
          req.end();
        });
      });
      const r = await reply;
      assert.equal(r.status, 200);
      assert.equal(r.body, String(32 * 64 * 1024));
    } finally {
      await local.close();
      await ul.close();
    }
  });
});
