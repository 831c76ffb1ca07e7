// Every answer the gateway writes itself: status, Kong's body shape, headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { ProxyErrors } from './errors.js';
import { closedPort, json, makeConfig, makeRoute, makeService, send, startProxy, startUpstream, type Reply, type RunningProxy, type Upstream } from './test-support.js';

function assertKongError(r: Reply, status: number, message: string): void {
  assert.equal(r.status, status);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(r.headers.server, 'portico/0.0.0-test');
  const body = json<{ message: string; request_id: string }>(r);
  assert.equal(body.message, message);
  assert.match(body.request_id, /^[0-9a-f]{32}$/);
  assert.equal(r.headers['x-portico-request-id'], body.request_id);
}

/** Sends raw bytes, returns everything the server wrote before closing. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

describe('gateway errors', () => {
  let px: RunningProxy;
  let silent: Upstream;
  let refusedPort: number;
  before(async () => {
    refusedPort = await closedPort();
    // Accepts, reads, never answers.
    silent = await startUpstream(() => {});
    px = await startProxy(
      makeConfig([
        { prefix: '/refused', route: makeRoute(makeService(refusedPort, { retries: 0 })) },
        { prefix: '/silent', route: makeRoute(makeService(silent.port, { readTimeout: 150, retries: 0 })) },
        { prefix: '/serviceless', route: makeRoute(null) },
        { prefix: '/tls-only', route: makeRoute(makeService(silent.port), { protocols: new Set(['https']) }) },
        { prefix: '/tls-redirect', route: makeRoute(makeService(silent.port), { protocols: new Set(['https']), httpsRedirectStatusCode: 301 }) },
      ]),
    );
  });
  after(async () => {
    await px.close();
    await silent.close();
  });

  test('no route matched → 404 {"message":"no Route matched with those values"}', async () => {
    assertKongError(await send(px.port, { path: '/nothing-here' }), 404, 'no Route matched with those values');
  });

  test('route without a service → 503 {"message":"no Service found with those values"}', async () => {
    assertKongError(await send(px.port, { path: '/serviceless' }), 503, 'no Service found with those values');
  });

  test('no configuration loaded → 503 {"message":"no configuration loaded yet"}', async () => {
    const empty = await startProxy(null);
    try {
      assertKongError(await send(empty.port), 503, 'no configuration loaded yet');
    } finally {
      await empty.close();
    }
  });

  test('connection refused → 502 with Kong\'s message, nothing internal leaked', async () => {
    const r = await send(px.port, { path: '/refused/x' });
    assertKongError(r, 502, 'An invalid response was received from the upstream server');
    assert.doesNotMatch(r.body.toString(), /ECONNREFUSED|127\.0\.0\.1/);
  });

  test('an upstream that never answers, with a small read_timeout → 504 "The upstream server is timing out"', async () => {
    const t0 = Date.now();
    assertKongError(await send(px.port, { path: '/silent' }), 504, 'The upstream server is timing out');
    assert.ok(Date.now() - t0 >= 140, 'answered before read_timeout');
  });

  test('an https-only route over http → 426 with Upgrade headers, or the configured redirect', async () => {
    const r = await send(px.port, { path: '/tls-only' });
    assertKongError(r, 426, 'Please use HTTPS protocol');
    assert.equal(r.headers.upgrade, 'TLS/1.2, HTTP/1.1');
    const red = await send(px.port, { path: '/tls-redirect/a?b=1', headers: { host: 'api.test:8000' } });
    assert.equal(red.status, 301);
    assert.equal(red.headers.location, 'https://api.test/tls-redirect/a?b=1');
  });

  test('a malformed request → 400 Kong body and the connection closed; the server keeps serving', async () => {
    const out = await raw(px.port, 'GET /x HTTP/1.1\r\nHost: a\r\nBad Header Line\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 400 /);
    assert.match(out, /Connection: close/i);
    assert.match(out, /\{"message":"Bad request","request_id":"[0-9a-f]{32}"\}$/);
    assert.equal((await send(px.port, { path: '/nothing' })).status, 404);
  });

  test('oversized request headers → 400 "Request header or cookie too large"', async () => {
    const out = await raw(px.port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(out, /^HTTP\/1\.1 400 /);
    assert.match(out, /Request header or cookie too large/);
  });

  test('upstream dies after the response head was sent → the client socket is destroyed, not left hanging', async () => {
    const dying = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const local = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(dying.port)) }]));
    try {
      const outcome = await new Promise<string>((resolve) => {
        const req = request({ host: '127.0.0.1', port: local.port, path: '/', agent: false }, (res) => {
          assert.equal(res.statusCode, 200);
          res.on('data', () => {});
          res.on('end', () => resolve('ended'));
          res.on('error', () => resolve('aborted'));
          res.on('aborted', () => resolve('aborted'));
        });
        req.on('error', () => resolve('aborted'));
        req.end();
      });
      assert.equal(outcome, 'aborted');
    } finally {
      await local.close();
      await dying.close();
    }
  });

  test('every catalog entry has a PORTICO_ERR_PROXY_ code, an HTTP status and a message', () => {
    for (const [name, e] of Object.entries(ProxyErrors)) {
      assert.match(e.code, /^PORTICO_ERR_PROXY_[A-Z_]+$/, name);
      assert.ok(e.status >= 400 && e.status < 600, name);
      assert.ok(e.message.length > 0, name);
    }
  });
});
