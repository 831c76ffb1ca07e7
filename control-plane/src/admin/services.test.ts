import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../store/store.js';
import { harness } from './test-support.js';

test("Kong's getting-started calls work as typed in Kong's docs (form bodies)", async () => {
  const h = await harness();
  try {
    let res = await h.form('POST', '/services', 'name=example_service&url=http%3A%2F%2Fhttpbin.konghq.com');
    assert.equal(res.statusCode, 201);
    const svc = res.json();
    assert.equal(svc.name, 'example_service');
    assert.equal(svc.host, 'httpbin.konghq.com');
    assert.equal(svc.port, 80);
    assert.equal(svc.protocol, 'http');
    assert.equal(svc.path, null);
    assert.equal(svc.retries, 5);
    assert.equal(typeof svc.created_at, 'number');
    assert.ok(svc.created_at < 1e11, 'timestamps are seconds');
    assert.equal(res.headers['x-portico-config-version'], '1');

    res = await h.form('POST', '/services/example_service/routes', 'paths[]=/mock&name=example_route');
    assert.equal(res.statusCode, 201);
    const route = res.json();
    assert.deepEqual(route.paths, ['/mock']);
    assert.deepEqual(route.service, { id: svc.id });
    assert.deepEqual(route.protocols, ['http', 'https']);

    res = await h.form('PATCH', '/services/example_service', 'retries=6');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().retries, 6);
    assert.equal(res.json().created_at, svc.created_at);
    assert.equal(res.headers['x-portico-config-version'], '3');

    res = await h.json('GET', '/services');
    assert.deepEqual(res.json(), { data: [{ ...svc, retries: 6, updated_at: res.json().data[0].updated_at }], next: null });

    res = await h.json('GET', `/services/${svc.id}`);
    assert.equal(res.json().name, 'example_service');

    res = await h.json('DELETE', '/services/example_service/routes/example_route');
    assert.equal(res.statusCode, 204);
    res = await h.json('DELETE', '/services/example_service');
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['x-portico-config-version'], '5');
    assert.equal((await h.json('GET', '/services/example_service')).statusCode, 404);
    // Kong answers 204 for an entity that is already gone, and nothing is written.
    res = await h.json('DELETE', '/services/example_service');
    assert.equal(res.statusCode, 204);
    assert.equal(h.store.version(), 5);
  } finally {
    await h.close();
  }
});

test('JSON bodies are not coerced: a string port is a schema violation', async () => {
  const h = await harness();
  try {
    const res = await h.json('POST', '/services', { host: 'a.com', port: '80' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { code: 2, name: 'schema violation', message: 'schema violation (port: expected an integer)', fields: { port: 'expected an integer' } });
    const ok = await h.form('POST', '/services', 'host=a.com&port=8080&enabled=false&tags=a&tags=b');
    assert.equal(ok.statusCode, 201);
    assert.deepEqual([ok.json().port, ok.json().enabled, ok.json().tags], [8080, false, ['a', 'b']]);
  } finally {
    await h.close();
  }
});

test('multipart text fields are accepted like form fields', async () => {
  const h = await harness();
  try {
    const b = 'XyZ';
    const payload = [`--${b}`, 'Content-Disposition: form-data; name="name"', '', 'mp', `--${b}`, 'Content-Disposition: form-data; name="url"', '', 'https://mp.example.com:8443/x', `--${b}--`, ''].join('\r\n');
    const res = await h.app.inject({ method: 'POST', url: '/services', headers: { 'content-type': `multipart/form-data; boundary=${b}` }, payload });
    assert.equal(res.statusCode, 201);
    assert.deepEqual([res.json().protocol, res.json().host, res.json().port, res.json().path], ['https', 'mp.example.com', 8443, '/x']);
  } finally {
    await h.close();
  }
});

test('PUT is an upsert keyed by name or id: 200 both times, created_at kept, fields reset to defaults', async () => {
  const h = await harness();
  try {
    let res = await h.json('PUT', '/services/by-name', { host: 'a.com', retries: 1 });
    assert.equal(res.statusCode, 200);
    const first = res.json();
    assert.equal(first.name, 'by-name');
    res = await h.json('PUT', '/services/by-name', { host: 'b.com' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().id, first.id);
    assert.equal(res.json().host, 'b.com');
    assert.equal(res.json().retries, 5);
    assert.equal(res.json().created_at, first.created_at);
    assert.equal(h.store.count('services'), 1);
    const id = '5e4d6a2b-8f7c-4b1a-9e3d-2c1b0a9f8e7d';
    res = await h.json('PUT', `/services/${id}`, { host: 'c.com' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().id, id);
    assert.equal(res.json().name, null);
  } finally {
    await h.close();
  }
});

test('client-given ids are kept; a duplicate id is a primary key violation', async () => {
  const h = await harness();
  try {
    const id = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
    assert.equal((await h.json('POST', '/services', { id, host: 'a.com' })).json().id, id);
    const res = await h.json('POST', '/services', { id, host: 'a.com' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { code: 3, name: 'primary key violation', message: `primary key violation on key '{id="${id}"}'`, fields: { id } });
  } finally {
    await h.close();
  }
});

test('pagination: size, offset, next carrying size and tags; tags filter with and (,) and or (/)', async () => {
  const h = await harness();
  try {
    for (let i = 0; i < 5; i++) await h.json('POST', '/services', { name: `s${i}`, host: 'a.com', tags: i % 2 ? ['odd'] : ['even', 'x'] });
    let res = await h.json('GET', '/services?size=2');
    let body = res.json();
    assert.equal(body.data.length, 2);
    assert.equal(typeof body.offset, 'string');
    assert.equal(body.next, `/services?offset=${encodeURIComponent(body.offset)}&size=2`);
    const seen = body.data.map((s: { id: string }) => s.id);
    while (body.next) {
      body = (await h.json('GET', body.next)).json();
      seen.push(...body.data.map((s: { id: string }) => s.id));
    }
    assert.equal(new Set(seen).size, 5);
    assert.equal(body.offset, undefined);
    assert.equal((await h.json('GET', '/services?tags=even,x')).json().data.length, 3);
    assert.equal((await h.json('GET', '/services?tags=odd/x')).json().data.length, 5);
    assert.equal((await h.json('GET', '/services?tags=odd,x')).json().data.length, 0);
    res = await h.json('GET', '/services?tags=even&size=1');
    assert.match(res.json().next, /&tags=even&size=1$/);
  } finally {
    await h.close();
  }
});

test('bad input leaves the config version and row counts unchanged', async () => {
  const h = await harness();
  try {
    await h.json('POST', '/services', { name: 'keep', host: 'a.com' });
    const before = { v: h.store.version(), s: h.store.count('services'), r: h.store.count('routes') };
    const bad = [
      await h.json('POST', '/services', { host: 'a.com', port: 99999 }),
      await h.json('POST', '/services', { name: 'keep', host: 'b.com' }),
      await h.json('PATCH', '/services/keep', { protocol: 'nope' }),
      await h.json('PUT', '/services/keep', { port: 1 }),
      await h.json('POST', '/routes', { paths: ['x'] }),
      await h.json('POST', '/routes', { paths: ['/x'], service: { id: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d' } }),
      await h.app.inject({ method: 'POST', url: '/services', headers: { 'content-type': 'application/json' }, payload: '{"host":' }),
    ];
    for (const r of bad) assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${r.statusCode} ${r.body}`);
    for (const r of bad) assert.equal(r.headers['x-portico-config-version'], undefined);
    assert.deepEqual({ v: h.store.version(), s: h.store.count('services'), r: h.store.count('routes') }, before);
  } finally {
    await h.close();
  }
});

test('a file-backed database keeps what the admin API wrote across reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-admin-'));
  const path = join(dir, 'portico.db');
  try {
    const h = await harness({}, Store.open(path));
    const res = await h.form('POST', '/services', 'name=persisted&url=http://a.example.com/p');
    assert.equal(res.statusCode, 201);
    await h.close();
    const again = await harness({}, Store.open(path));
    try {
      const got = await again.json('GET', '/services/persisted');
      assert.equal(got.statusCode, 200);
      assert.equal(got.json().path, '/p');
      assert.equal(again.store.version(), 1);
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
