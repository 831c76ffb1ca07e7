import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../admin/test-support.js';
import { stableId, uuidV5 } from './stable-id.js';

const KONG_YML = `
_format_version: "3.0"
_transform: true
_comment: ignored
services:
  - name: orders
    url: http://orders.internal:8080/api
    routes:
      - name: orders-r
        paths: [/orders]
  - name: users
    host: users.internal
routes:
  - name: users-r
    service: users
    paths: [/users]
    methods: [GET]
`;

const yaml = { 'content-type': 'application/x-yaml' };

test('uuidV5 is RFC 4122 version 5 (the DNS-namespace example)', () => {
  assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
});

test('POST /config applies a YAML document with nested and referenced entities, ids derived from names', async () => {
  const h = await harness();
  try {
    const res = await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: KONG_YML });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['x-portico-config-version'], '1');
    const body = res.json();
    const ordersId = stableId('services', { name: 'orders' });
    assert.equal(body.services[ordersId].host, 'orders.internal');
    assert.equal(body.services[ordersId].path, '/api');
    const routes = Object.values(body.routes) as { name: string; service: { id: string } }[];
    assert.deepEqual(routes.find((r) => r.name === 'orders-r')!.service, { id: ordersId });
    assert.deepEqual(routes.find((r) => r.name === 'users-r')!.service, { id: stableId('services', { name: 'users' }) });
    assert.equal(h.store.count('services') + h.store.count('routes'), 4);
  } finally {
    await h.close();
  }
});

test('re-applying the same document keeps every id and bumps no version (304 with check_hash=1)', async () => {
  const h = await harness();
  try {
    await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: KONG_YML });
    const before = h.store.allResources();
    let res = await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: KONG_YML });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['x-portico-config-version'], '1');
    res = await h.app.inject({ method: 'POST', url: '/config?check_hash=1', headers: yaml, payload: KONG_YML });
    assert.equal(res.statusCode, 304);
    assert.deepEqual(h.store.allResources(), before);
  } finally {
    await h.close();
  }
});

test('JSON bodies and the form field `config` are accepted like Kong', async () => {
  const h = await harness();
  try {
    const doc = { _format_version: '3.0', services: [{ name: 'a', host: 'a.internal' }] };
    let res = await h.json('POST', '/config', doc);
    assert.equal(res.statusCode, 201, res.body);
    res = await h.form('POST', '/config', `config=${encodeURIComponent('_format_version: "3.0"\nservices:\n  - name: b\n    host: b.internal\n')}`);
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(Object.values(res.json().services as Record<string, { name: string }>).map((s) => s.name), ['b']);
    res = await h.json('POST', '/config', { config: JSON.stringify({ _format_version: '3.0' }) });
    assert.equal(res.statusCode, 201);
    assert.equal(h.store.count('services'), 0);
  } finally {
    await h.close();
  }
});

test('a document with one bad entity applies nothing and answers Kong\'s declarative error', async () => {
  const h = await harness();
  try {
    await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: KONG_YML });
    const before = h.store.allResources();
    const bad = { _format_version: '3.0', services: [{ name: 'new', host: 'n.internal' }, { name: 'broken', host: 'b.internal', port: 99999, routes: [{ name: 'r', paths: ['nope'] }] }] };
    const res = await h.json('POST', '/config', bad);
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 14);
    assert.equal(body.name, 'invalid declarative configuration');
    assert.deepEqual(body.fields, { services: [null, { port: 'value should be between 0 and 65535', routes: [{ paths: ['should start with: / (fixed path) or ~/ (regex path)'] }] }] });
    assert.equal(body.message, 'declarative config is invalid: {services={[2]={port="value should be between 0 and 65535",routes={{paths={"should start with: / (fixed path) or ~/ (regex path)"}}}}}}');
    assert.deepEqual(
      body.flattened_errors.map((f: { entity_type: string; entity_name: string; errors: unknown[] }) => [f.entity_type, f.entity_name, f.errors]),
      [
        ['service', 'broken', [{ type: 'field', field: 'port', message: 'value should be between 0 and 65535' }]],
        ['route', 'r', [{ type: 'field', field: 'paths.1', message: 'should start with: / (fixed path) or ~/ (regex path)' }]],
      ],
    );
    assert.equal(h.store.version(), 1);
    assert.deepEqual(h.store.allResources(), before);
  } finally {
    await h.close();
  }
});

test('format version, unknown keys, unknown references and duplicates are declarative errors', async () => {
  const h = await harness();
  try {
    const cases: [unknown, Record<string, unknown>][] = [
      [{ services: [] }, { _format_version: 'required field missing' }],
      [{ _format_version: '1.1' }, { _format_version: 'expected one of: 3.0' }],
      [{ _format_version: '3.0', servicez: [] }, { servicez: 'unknown field' }],
      [{ _format_version: '3.0', services: {} }, { services: 'expected an array' }],
      [{ _format_version: '3.0', routes: [{ name: 'r', paths: ['/'], service: 'ghost' }] }, { routes: { r: ["invalid reference 'service: ghost' (no such entry in 'services')"] } }],
      [
        { _format_version: '3.0', services: [{ name: 'a', host: 'x' }, { name: 'a', host: 'y' }] },
        { services: [null, { '@entity': ["uniqueness violation: 'services' entity with primary key set to '" + stableId('services', { name: 'a' }) + "' already declared", "uniqueness violation: 'services' entity with name set to 'a' already declared"] }] },
      ],
    ];
    for (const [doc, fields] of cases) {
      const res = await h.json('POST', '/config', doc);
      assert.equal(res.statusCode, 400, JSON.stringify(doc));
      assert.deepEqual(res.json().fields, fields, JSON.stringify(doc));
    }
    const res = await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: 'services: [unclosed' });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().fields.error, /^failed parsing declarative configuration: /);
    assert.equal(h.store.version(), 0);
  } finally {
    await h.close();
  }
});

test('the database ends equal to the document: updates in place, deletes what is gone; dry_run only plans', async () => {
  const h = await harness();
  try {
    await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: KONG_YML });
    const created = h.store.findBy('services', 'name', 'orders')!;
    const next = { _format_version: '3.0', services: [{ name: 'orders', url: 'http://orders-v2.internal:8080/api', routes: [{ name: 'orders-r', paths: ['/orders'] }] }] };
    let res = await h.json('POST', '/config?dry_run=true', next);
    assert.equal(res.statusCode, 200);
    const plan = res.json();
    assert.deepEqual(plan.summary, { created: 0, updated: 1, deleted: 2 });
    assert.deepEqual(
      plan.changes.map((c: { action: string; kind: string; name: string }) => `${c.action} ${c.kind} ${c.name}`),
      ['delete route users-r', 'delete service users', 'update service orders'],
    );
    assert.deepEqual(plan.changes[2].fields, [{ field: 'host', old: 'orders.internal', new: 'orders-v2.internal' }]);
    assert.equal(h.store.version(), 1);
    res = await h.json('POST', '/config', next);
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['x-portico-config-version'], '2');
    const updated = h.store.findBy('services', 'name', 'orders')!;
    assert.equal(updated.id, created.id);
    assert.equal(updated.created_at, created.created_at);
    assert.equal(updated['host'], 'orders-v2.internal');
    assert.equal(h.store.count('services'), 1);
    assert.equal(h.store.count('routes'), 1);
    // The untouched route kept its row: same version stamp as before.
    assert.equal(h.store.all('routes')[0]!.version, 1);
  } finally {
    await h.close();
  }
});

test('export → apply is a no-op and export again is byte-identical (JSON and YAML)', async () => {
  const h = await harness();
  try {
    await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: KONG_YML });
    // An entity made over the admin API (random id) survives the round trip too.
    assert.equal((await h.json('POST', '/services', { name: 'adhoc', host: 'adhoc.internal', tags: ['t'] })).statusCode, 201);
    const version = h.store.version();
    for (const [format, headers] of [['json', {}], ['yaml', { accept: 'application/x-yaml' }]] as const) {
      const first = await h.app.inject({ method: 'GET', url: '/config', headers });
      assert.equal(first.statusCode, 200);
      assert.match(String(first.headers['content-type']), format === 'yaml' ? /yaml/ : /json/);
      const applied = await h.app.inject({ method: 'POST', url: '/config', headers: { 'content-type': format === 'yaml' ? 'application/x-yaml' : 'application/json' }, payload: first.body });
      assert.equal(applied.statusCode, 201, applied.body);
      assert.equal(h.store.version(), version);
      const second = await h.app.inject({ method: 'GET', url: `/config?format=${format}` });
      assert.equal(second.body, first.body);
    }
    const doc = (await h.json('GET', '/config')).json();
    assert.equal(doc._format_version, '3.0');
    const orders = doc.services.find((s: { name: string }) => s.name === 'orders');
    assert.deepEqual(orders.routes.map((r: { name: string }) => r.name), ['orders-r']);
    assert.equal(orders.routes[0].service, undefined, 'nested routes do not repeat their service');
    assert.equal(orders.created_at, undefined);
  } finally {
    await h.close();
  }
});

test('GET /config/versions lists versions newest first; /config/versions/N shows the change set with secrets redacted', async () => {
  const h = await harness();
  try {
    await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: KONG_YML });
    // A credential written straight to the store: redaction must not depend on which entity API wrote it.
    const consumer = { id: '11111111-1111-4111-8111-111111111111', username: 'alice', custom_id: null, tags: null, created_at: 1 };
    h.store.write('create consumer', (tx) => {
      tx.insert('consumers', consumer);
      tx.insert('keyauth_credentials', { id: '22222222-2222-4222-8222-222222222222', consumer: { id: consumer.id }, key: 'super-secret-key', tags: null, created_at: 1 });
    });
    let res = await h.json('GET', '/config/versions?size=1');
    assert.equal(res.statusCode, 200);
    const page = res.json();
    assert.deepEqual(page.data.map((v: { version: number; changes: unknown }) => [v.version, v.changes]), [[2, { created: 2, updated: 0, deleted: 0 }]]);
    assert.equal(page.next, '/config/versions?offset=2&size=1');
    res = await h.json('GET', page.next);
    assert.deepEqual(res.json().data.map((v: { version: number; summary: string }) => [v.version, v.summary]), [[1, 'declarative config']]);
    assert.equal(res.json().next, null);
    res = await h.json('GET', '/config/versions/2');
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes('super-secret-key'));
    const cred = res.json().entities.find((e: { type: string }) => e.type === 'keyauth_credentials');
    assert.deepEqual([cred.action, cred.before, cred.after.key], ['created', null, '<redacted>']);
    assert.equal((await h.json('GET', '/config/versions/99')).statusCode, 404);
    assert.equal((await h.json('GET', '/config/versions?size=0')).json().code, 9);
  } finally {
    await h.close();
  }
});

test('POST /config/rollback restores an earlier version as a new one; bad targets are 400', async () => {
  const h = await harness();
  try {
    await h.app.inject({ method: 'POST', url: '/config', headers: yaml, payload: KONG_YML });
    const v1 = h.store.allResources();
    await h.json('PATCH', '/services/orders', { host: 'changed.internal' });
    await h.json('DELETE', '/routes/users-r');
    let res = await h.json('POST', '/config/rollback', { version: 1 });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-portico-config-version'], '4');
    assert.deepEqual(res.json(), { version: 4, rolled_back_to: 1, changed: true, changes: { created: 1, updated: 1, deleted: 0 } });
    assert.deepEqual(h.store.allResources().map((r) => [r.type, r.id, r.body]), v1.map((r) => [r.type, r.id, r.body]));
    res = await h.form('POST', '/config/rollback', 'version=4');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().changed, false);
    assert.equal(res.headers['x-portico-config-version'], '4');
    for (const body of [{ version: 9 }, { version: 'x' }, {}]) {
      res = await h.json('POST', '/config/rollback', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(typeof res.json().message, 'string');
    }
    assert.equal((await h.json('POST', '/config/rollback', { version: 9 })).json().message, 'version 9 cannot be restored: restorable versions are 0 to 4');
    assert.equal(h.store.version(), 4);
  } finally {
    await h.close();
  }
});
