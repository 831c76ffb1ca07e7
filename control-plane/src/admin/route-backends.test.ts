// Route `backends` and `mirror` through the admin API: references by name,
// Kong-style messages, form encoding, PATCHed weights, and deletes of a
// referenced service refused at the store, with declarative export → apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDocument } from '../declarative/apply.js';
import { exportDocument } from '../declarative/export.js';
import { harness } from './test-support.js';

test('backends and mirror: names resolve to ids, defaults fill, weights PATCH like any field', async () => {
  const h = await harness();
  try {
    const v1 = (await h.json('POST', '/services', { name: 'orders-v1', host: 'v1.internal' })).json();
    const v2 = (await h.json('POST', '/services', { name: 'orders-v2', host: 'v2.internal' })).json();
    const shadow = (await h.json('POST', '/services', { name: 'orders-shadow', host: 'shadow.internal' })).json();
    let res = await h.json('POST', '/routes', {
      name: 'orders',
      paths: ['/orders'],
      backends: [{ service: { name: 'orders-v2' }, weight: 10 }, { service: { name: 'orders-v1' }, weight: 90 }],
      backend_hash_on: 'header',
      backend_hash_on_header: 'X-User',
      mirror: { service: { name: 'orders-shadow' }, percentage: 50 },
    });
    assert.equal(res.statusCode, 201, res.body);
    const route = res.json();
    assert.deepEqual(route.backends, [{ service: { id: v2.id }, weight: 10 }, { service: { id: v1.id }, weight: 90 }]);
    assert.deepEqual(route.mirror, { service: { id: shadow.id }, percentage: 50 });
    assert.equal(route.service, null);

    res = await h.json('PATCH', '/routes/orders', { backends: [{ service: { id: v2.id }, weight: 25 }, { service: { id: v1.id }, weight: 75 }] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().backends.map((b: { weight: number }) => b.weight), [25, 75]);
    // Nested records merge on PATCH, as Kong's do.
    res = await h.json('PATCH', '/routes/orders', { mirror: { percentage: 5 } });
    assert.deepEqual(res.json().mirror, { service: { id: shadow.id }, percentage: 5 });

    const plain = (await h.json('POST', '/routes', { name: 'plain', paths: ['/p'], service: { name: 'orders-v1' } })).json();
    assert.equal(plain.backends, null);
    assert.equal(plain.backend_hash_on, 'none');
    assert.equal(plain.mirror, null);
  } finally {
    await h.close();
  }
});

test('schema violations: service and backends together, hash conditionals, weights, duplicates, all-zero split', async () => {
  const h = await harness();
  try {
    const v1 = (await h.json('POST', '/services', { name: 'v1', host: 'v1.internal' })).json();
    const v2 = (await h.json('POST', '/services', { name: 'v2', host: 'v2.internal' })).json();
    const two = [{ service: { id: v1.id }, weight: 90 }, { service: { id: v2.id }, weight: 10 }];
    const cases: [unknown, string][] = [
      [{ paths: ['/a'], service: { id: v1.id }, backends: two }, "schema violation (only one or none of these fields must be set: 'service', 'backends')"],
      [{ paths: ['/a'], backends: two, backend_hash_on: 'header' }, "2 schema violations (failed conditional validation given value of field 'backend_hash_on'; backend_hash_on_header: required field missing)"],
      [{ paths: ['/a'], backends: two, backend_hash_on: 'cookie' }, "2 schema violations (failed conditional validation given value of field 'backend_hash_on'; backend_hash_on_cookie: required field missing)"],
      [{ paths: ['/a'], backends: two, backend_hash_on: 'path' }, 'schema violation (backend_hash_on: expected one of: none, consumer, ip, header, cookie)'],
      [{ paths: ['/a'], backends: [{ service: { id: v1.id }, weight: 1001 }] }, 'schema violation (backends.1: {weight="value should be between 0 and 1000"})'],
      [{ paths: ['/a'], backends: [{ service: { id: v1.id }, weight: 5 }, { service: { id: v1.id }, weight: 5 }] }, 'schema violation (backends.2: service already listed as backend 1)'],
      [{ paths: ['/a'], backends: [{ service: { id: v1.id }, weight: 0 }, { service: { id: v2.id }, weight: 0 }] }, 'schema violation (backends: at least one backend must have a weight greater than 0)'],
      [{ paths: ['/a'], backends: [] }, 'schema violation (backends: length must be at least 1)'],
      [{ paths: ['/a'], service: { id: v1.id }, mirror: { service: { id: v2.id }, percentage: 101 } }, 'schema violation (mirror.percentage: value should be between 0 and 100)'],
    ];
    for (const [body, message] of cases) {
      const res = await h.json('POST', '/routes', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().message, message);
      assert.equal(res.json().name, 'schema violation');
    }
    const unresolved = await h.json('POST', '/routes', { paths: ['/a'], backends: [{ service: { name: 'nope' }, weight: 1 }, { service: { id: v2.id } }] });
    assert.equal(unresolved.statusCode, 400);
    assert.match(unresolved.json().message, /^foreign key unresolved \(backends\[1\]\.service\.name: /);
    const missing = await h.json('POST', '/routes', { paths: ['/a'], service: { id: v1.id }, mirror: { service: { id: '00000000-0000-4000-8000-000000000000' } } });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().name, 'foreign key violation');
  } finally {
    await h.close();
  }
});

test('form encoding: backends[1].service.name=…&backends[1].weight=10', async () => {
  const h = await harness();
  try {
    const a = (await h.json('POST', '/services', { name: 'a', host: 'a.internal' })).json();
    const b = (await h.json('POST', '/services', { name: 'b', host: 'b.internal' })).json();
    const res = await h.form('POST', '/routes', 'name=f&paths[]=/f&backends[1].service.name=a&backends[1].weight=10&backends[2].service.name=b&backends[2].weight=90&mirror.service.id=' + b.id + '&mirror.percentage=12.5');
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json().backends, [{ service: { id: a.id }, weight: 10 }, { service: { id: b.id }, weight: 90 }]);
    assert.deepEqual(res.json().mirror, { service: { id: b.id }, percentage: 12.5 });
  } finally {
    await h.close();
  }
});

test('a service a route splits to or mirrors to cannot be deleted (Kong @referenced_by); once unreferenced it can, leaving a tombstone', async () => {
  const h = await harness();
  try {
    await h.json('POST', '/services', { name: 'v1', host: 'v1.internal' });
    await h.json('POST', '/services', { name: 'v2', host: 'v2.internal' });
    await h.json('POST', '/services', { name: 'sh', host: 'sh.internal' });
    const r = await h.json('POST', '/routes', { name: 'r', paths: ['/r'], backends: [{ service: { name: 'v1' }, weight: 90 }, { service: { name: 'v2' }, weight: 10 }], mirror: { service: { name: 'sh' } } });
    assert.equal(r.statusCode, 201, r.body);
    for (const name of ['v1', 'v2', 'sh']) {
      const res = await h.json('DELETE', `/services/${name}`);
      assert.equal(res.statusCode, 400, name);
      assert.deepEqual(res.json(), {
        code: 4,
        name: 'foreign key violation',
        message: "an existing 'routes' entity references this 'services' entity",
        fields: { '@referenced_by': 'routes' },
      });
    }
    // Drop v2 from the split and the mirror: both become deletable, v1 still is not.
    assert.equal((await h.json('PATCH', '/routes/r', { backends: [{ service: { name: 'v1' }, weight: 100 }], mirror: null })).statusCode, 200);
    assert.equal((await h.json('DELETE', '/services/v2')).statusCode, 204);
    assert.equal((await h.json('DELETE', '/services/sh')).statusCode, 204);
    assert.equal((await h.json('DELETE', '/services/v1')).statusCode, 400);
    const changes = h.store.changesSince(0);
    assert.equal(changes.removed.filter((t) => t.type === 'services').length, 2);
    // Deleting the route releases its references.
    assert.equal((await h.json('DELETE', '/routes/r')).statusCode, 204);
    assert.equal((await h.json('DELETE', '/services/v1')).statusCode, 204);
  } finally {
    await h.close();
  }
});

test('declarative: backends and mirror by name, export writes names and omits Portico defaults, export → apply is a no-op', async () => {
  const h = await harness();
  try {
    const doc = {
      _format_version: '3.0',
      services: [
        { name: 'v1', host: 'v1.internal', routes: [{ name: 'plain', paths: ['/p'] }] },
        { name: 'v2', host: 'v2.internal' },
        { name: 'sh', host: 'sh.internal' },
      ],
      routes: [{ name: 'split', paths: ['/s'], backends: [{ service: 'v1', weight: 95 }, { service: { name: 'v2' }, weight: 5 }], backend_hash_on: 'ip', mirror: { service: 'sh', percentage: 10 } }],
    };
    const first = applyDocument(h.store, doc);
    assert.ok(first.changed);
    const exported = exportDocument(h.store) as { routes: Record<string, unknown>[]; services: { name: string; routes?: Record<string, unknown>[] }[] };
    const split = exported.routes.find((r) => r['name'] === 'split')!;
    assert.deepEqual(split['backends'], [{ service: 'v1', weight: 95 }, { service: 'v2', weight: 5 }]);
    assert.deepEqual(split['mirror'], { service: 'sh', percentage: 10 });
    const plain = exported.services.find((s) => s.name === 'v1')!.routes![0]!;
    for (const f of ['backends', 'backend_hash_on', 'backend_hash_on_header', 'backend_hash_on_cookie', 'mirror']) assert.ok(!(f in plain), `${f} exported at its default`);
    const again = applyDocument(h.store, exported);
    assert.equal(again.changed, false);
    assert.deepEqual(again.plan.changes, []);

    // A dangling name is Kong's declarative reference error; deleting a referenced service is refused at commit.
    const bad = { ...doc, routes: [{ name: 'split', paths: ['/s'], backends: [{ service: 'nope', weight: 1 }] }] };
    assert.throws(() => applyDocument(h.store, bad), (err: Error) => /invalid reference 'backends\[1\]\.service: nope' \(no such entry in 'services'\)/.test(JSON.stringify((err as { detail?: unknown }).detail ?? err.message)));
    const dropV2 = { ...doc, services: doc.services.filter((s) => s.name !== 'v2'), routes: [{ ...doc.routes[0]!, backends: [{ service: 'v1', weight: 100 }] }] };
    assert.ok(applyDocument(h.store, dropV2).changed, 'a document dropping v2 together with the reference applies');
  } finally {
    await h.close();
  }
});
