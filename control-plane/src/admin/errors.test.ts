import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminErrors } from './errors.js';
import { harness } from './test-support.js';

/** Catalog entries no request in these tests can produce, and why (keep in step with docs). */
const NOT_PRODUCED_BY_TESTS: Record<string, string> = {
  [AdminErrors.UNEXPECTED.code]: 'only for bugs and database failures; body is {"message":"An unexpected error occurred"}',
  [AdminErrors.UNSUPPORTED_MEDIA_TYPE.code]: 'unreachable today: like Kong, bodies of unknown content types are read as empty',
  [AdminErrors.BAD_REQUEST.code]: "Fastify's own 4xx rejections of malformed requests (e.g. bad Content-Length)",
};

test('every admin error in the catalog is produced by a request here or documented as not producible', async () => {
  const h = await harness({ adminToken: 's3cret' });
  const auth = { authorization: 'Bearer s3cret' };
  const seen = new Set<string>();
  const expect = async (entry: { code: string; status: number }, res: { statusCode: number; body: string }, body: Record<string, unknown>) => {
    assert.equal(res.statusCode, entry.status, `${entry.code}: ${res.body}`);
    assert.deepEqual({ ...JSON.parse(res.body), ...body }, JSON.parse(res.body));
    seen.add(entry.code);
  };
  try {
    await expect(AdminErrors.UNAUTHORIZED, await h.json('GET', '/services'), { message: 'Unauthorized' });
    await expect(AdminErrors.UNAUTHORIZED, await h.json('GET', '/services', undefined, { authorization: 'Bearer wrong' }), { message: 'Unauthorized' });
    assert.equal((await h.json('GET', '/services', undefined, { 'kong-admin-token': 's3cret' })).statusCode, 200);

    await expect(AdminErrors.SCHEMA_VIOLATION, await h.json('POST', '/services', { host: 'a', port: 70000 }, auth), {
      code: 2,
      name: 'schema violation',
      message: 'schema violation (port: value should be between 0 and 65535)',
      fields: { port: 'value should be between 0 and 65535' },
    });
    await h.json('POST', '/services', { name: 'x', host: 'a' }, auth);
    await expect(AdminErrors.UNIQUE_VIOLATION, await h.json('POST', '/services', { name: 'x', host: 'a' }, auth), {
      code: 5,
      name: 'unique constraint violation',
      message: `UNIQUE violation detected on '{name="x"}'`,
      fields: { name: 'x' },
    });
    const id = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
    await h.json('POST', '/services', { id, host: 'a' }, auth);
    await expect(AdminErrors.PRIMARY_KEY_VIOLATION, await h.json('POST', '/services', { id, host: 'a' }, auth), { code: 3 });
    await expect(AdminErrors.FOREIGN_KEY_VIOLATION, await h.json('POST', '/routes', { paths: ['/'], service: { id: '00000000-0000-4000-8000-000000000000' } }, auth), { code: 4 });
    await expect(AdminErrors.FOREIGN_KEYS_UNRESOLVED, await h.json('POST', '/routes', { paths: ['/'], service: { name: 'nope' } }, auth), { code: 13 });
    await expect(AdminErrors.NOT_FOUND, await h.json('GET', '/services/missing', undefined, auth), { message: 'Not found' });
    await expect(AdminErrors.NOT_FOUND, await h.json('GET', '/no/such/path', undefined, auth), { message: 'Not found' });
    await expect(AdminErrors.INVALID_OFFSET, await h.json('GET', '/services?offset=%25%25', undefined, auth), {
      code: 7,
      name: 'invalid offset',
      message: "'%%' is not a valid offset: bad base64 encoding",
    });
    await expect(AdminErrors.INVALID_SIZE, await h.json('GET', '/services?size=abc', undefined, auth), { code: 9, name: 'invalid size', message: 'size must be a number' });
    await expect(AdminErrors.INVALID_SIZE, await h.json('GET', '/services?size=1001', undefined, auth), { message: 'size must be an integer between 1 and 1000' });
    await expect(AdminErrors.METHOD_NOT_ALLOWED, await h.json('DELETE', '/services', undefined, auth), { message: 'Method not allowed' });
    await expect(AdminErrors.METHOD_NOT_ALLOWED, await h.json('POST', '/services/x', {}, auth), { message: 'Method not allowed' });
    const badJson = await h.app.inject({ method: 'POST', url: '/services', headers: { ...auth, 'content-type': 'application/json' }, payload: '{nope' });
    await expect(AdminErrors.BAD_JSON, badJson, { message: 'Cannot parse JSON body' });
    const big = await h.app.inject({ method: 'POST', url: '/services', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ host: 'a'.repeat(2 * 1024 * 1024) }) });
    await expect(AdminErrors.PAYLOAD_TOO_LARGE, big, {});

    const all = Object.values(AdminErrors).map((e) => e.code);
    const missing = all.filter((c) => !seen.has(c) && !(c in NOT_PRODUCED_BY_TESTS));
    assert.deepEqual(missing, []);
    for (const c of Object.keys(NOT_PRODUCED_BY_TESTS)) assert.ok(all.includes(c), `${c} is not in the catalog`);
  } finally {
    await h.close();
  }
});

test('node info, status and data planes; write responses carry the config version', async () => {
  const h = await harness({ configuration: { admin_listen: '127.0.0.1:8001' } });
  try {
    const root = (await h.json('GET', '/')).json();
    assert.equal(root.version, '0.1.0');
    assert.equal(root.node_id, 'node-1');
    assert.equal(typeof root.hostname, 'string');
    assert.equal(typeof root.tagline, 'string');
    assert.equal(root.configuration.admin_listen, '127.0.0.1:8001');
    assert.deepEqual(root.portico, { config_version: 0 });
    const post = await h.json('POST', '/services', { host: 'a.com' });
    assert.equal(post.headers['x-portico-config-version'], '1');
    const status = (await h.json('GET', '/status')).json();
    assert.deepEqual(status.database, { reachable: true });
    assert.equal(status.config_version, 1);
    assert.deepEqual(status.data_planes, { connected: 0 });
    assert.ok(status.server.total_requests >= 3);
    assert.deepEqual((await h.json('GET', '/clustering/data-planes')).json(), { data: [], next: null });
  } finally {
    await h.close();
  }
});
