import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './test-support.js';

test('routes: foreign keys by name resolve to ids, nested endpoints check ownership, /routes/{r}/service', async () => {
  const h = await harness();
  try {
    const a = (await h.json('POST', '/services', { name: 'a', host: 'a.com' })).json();
    const b = (await h.json('POST', '/services', { name: 'b', host: 'b.com' })).json();
    let res = await h.json('POST', '/routes', { name: 'r', paths: ['/r'], service: { name: 'a' } });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(res.json().service, { id: a.id });
    res = await h.form('POST', '/routes', `name=r2&hosts=example.com&service.id=${b.id}&headers.x-foo=bar&methods[1]=GET&methods[2]=POST`);
    assert.equal(res.statusCode, 201);
    assert.deepEqual(res.json().headers, { 'x-foo': ['bar'] });
    assert.deepEqual(res.json().methods, ['GET', 'POST']);
    assert.deepEqual(res.json().service, { id: b.id });

    assert.equal((await h.json('GET', '/services/a/routes/r')).statusCode, 200);
    assert.equal((await h.json('GET', '/services/b/routes/r')).statusCode, 404);
    assert.equal((await h.json('DELETE', '/services/b/routes/r')).statusCode, 404);
    const listed = (await h.json('GET', '/services/b/routes')).json();
    assert.deepEqual(listed.data.map((r: { name: string }) => r.name), ['r2']);

    assert.equal((await h.json('GET', '/routes/r/service')).json().id, a.id);
    res = await h.json('PATCH', '/routes/r/service', { retries: 2 });
    assert.equal(res.json().retries, 2);
    res = await h.json('DELETE', '/routes/r/service');
    assert.equal(res.statusCode, 405);
    assert.deepEqual(res.json(), { message: 'Method not allowed' });

    res = await h.json('PATCH', '/services/a/routes/r', { paths: ['/new'] });
    assert.deepEqual(res.json().paths, ['/new']);
    assert.deepEqual(res.json().service, { id: a.id });
    res = await h.json('PUT', '/services/b/routes/r3', { paths: ['/p'] });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().service, { id: b.id });

    // A route with no service: PUT on its service creates one and links it.
    const lone = (await h.json('POST', '/routes', { name: 'lone', paths: ['/l'] })).json();
    assert.equal(lone.service, null);
    assert.equal((await h.json('GET', '/routes/lone/service')).statusCode, 404);
    res = await h.json('PUT', '/routes/lone/service', { host: 'c.com' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual((await h.json('GET', '/routes/lone')).json().service, { id: res.json().id });
  } finally {
    await h.close();
  }
});

test('foreign key errors: missing id, unresolved name, referenced on delete', async () => {
  const h = await harness();
  try {
    const missing = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
    let res = await h.json('POST', '/routes', { paths: ['/x'], service: { id: missing } });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      code: 4,
      name: 'foreign key violation',
      message: `the foreign key '{id="${missing}"}' does not reference an existing 'services' entity.`,
      fields: { service: { id: missing } },
    });
    res = await h.json('POST', '/routes', { paths: ['/x'], service: { name: 'ghost' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 13);
    assert.equal(res.json().name, 'foreign keys unresolved');
    assert.deepEqual(res.json().fields, { service: { name: "the foreign key cannot be resolved with '{name=\"ghost\"}' for an existing 'services' entity" } });
    res = await h.json('POST', '/routes', { paths: ['/x'], service: { id: 'not-a-uuid' } });
    assert.deepEqual(res.json().fields, { service: { id: 'expected a valid UUID' } });

    await h.json('POST', '/services', { name: 's', host: 'a.com' });
    await h.json('POST', '/services/s/routes', { paths: ['/'] });
    const version = h.store.version();
    res = await h.json('DELETE', '/services/s');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      code: 4,
      name: 'foreign key violation',
      message: "an existing 'routes' entity references this 'services' entity",
      fields: { '@referenced_by': 'routes' },
    });
    assert.equal(h.store.version(), version);
  } finally {
    await h.close();
  }
});

test('route schema violations come back in Kong shape, nested as arrays', async () => {
  const h = await harness();
  try {
    const res = await h.json('POST', '/routes', { paths: ['/ok', 'bad'] });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      code: 2,
      name: 'schema violation',
      message: 'schema violation (paths.2: should start with: / (fixed path) or ~/ (regex path))',
      fields: { paths: [null, 'should start with: / (fixed path) or ~/ (regex path)'] },
    });
    const none = await h.json('POST', '/routes', { name: 'x' });
    assert.equal(none.json().message, "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')");
  } finally {
    await h.close();
  }
});
