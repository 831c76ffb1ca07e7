// write_timeout (nginx proxy_send_timeout): an upstream that stops accepting
// the request body for longer than the service's write_timeout gets a 504.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { collect, makeConfig, makeRoute, makeService, startProxy, startUpstream } from './test-support.js';

test('an upstream that never reads the request body → 504 after write_timeout', async () => {
  const up = await startUpstream(() => {}); // never reads, never answers
  const px = await startProxy(makeConfig([{ prefix: '/', route: makeRoute(makeService(up.port, { writeTimeout: 300, readTimeout: 60_000, retries: 0 })) }]));
  try {
    const t0 = Date.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: px.port, method: 'PUT', path: '/', agent: false, headers: { 'content-length': String(256 * 1024 * 1024) } }, (res) =>
        void collect(res).then(() => resolve(res.statusCode ?? 0), reject),
      );
      req.on('error', () => {});
      // Keep offering data until the proxy answers; kernel and stream buffers fill first.
      const chunk = Buffer.alloc(256 * 1024);
      const pump = (): void => {
        while (!req.destroyed && req.write(chunk));
      };
      req.on('drain', pump);
      pump();
      req.on('response', () => req.removeListener('drain', pump));
    });
    assert.equal(status, 504);
    assert.ok(Date.now() - t0 < 10_000);
  } finally {
    await px.close();
    await up.close();
  }
});
