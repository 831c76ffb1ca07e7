import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './test-support.js';

test('upstreams: Kong defaults fill every field, healthchecks included (form body as typed)', async () => {
  const h = await harness();
  try {
    const res = await h.form('POST', '/upstreams', 'name=example_upstream&tags=a');
    assert.equal(res.statusCode, 201);
    const u = res.json();
    assert.equal(u.algorithm, 'round-robin');
    assert.equal(u.hash_on, 'none');
    assert.equal(u.hash_fallback, 'none');
    assert.equal(u.hash_on_cookie_path, '/');
    assert.equal(u.slots, 10000);
    assert.equal(u.use_srv_name, false);
    assert.equal(u.host_header, null);
    assert.equal(u.client_certificate, null);
    assert.deepEqual(u.tags, ['a']);
    assert.deepEqual(u.healthchecks, {
      active: {
        type: 'http',
        timeout: 1,
        concurrency: 10,
        http_path: '/',
        https_sni: null,
        https_verify_certificate: true,
        headers: null,
        healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
        unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
      },
      passive: {
        type: 'http',
        healthy: { http_statuses: [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], successes: 0 },
        unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 },
      },
      threshold: 0,
    });
    // Form bodies reach nested healthcheck fields and are coerced by the schema.
    const patched = await h.form('PATCH', '/upstreams/example_upstream', 'healthchecks.active.healthy.interval=5&slots=100');
    assert.equal(patched.statusCode, 200);
    assert.equal(patched.json().healthchecks.active.healthy.interval, 5);
    assert.deepEqual(patched.json().healthchecks.active.healthy.http_statuses, [200, 302]);
    assert.equal(patched.json().slots, 100);
  } finally {
    await h.close();
  }
});

test('upstreams: name must be a hostname, slots range, hashing conditionals with Kong messages', async () => {
  const h = await harness();
  try {
    let res = await h.json('POST', '/upstreams', { name: '10.0.0.1', slots: 5 });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().fields, { name: 'Invalid name; no ip addresses allowed', slots: 'value should be between 10 and 65536' });
    res = await h.json('POST', '/upstreams', { name: 'u', hash_on: 'header' });
    assert.deepEqual(res.json(), {
      code: 2,
      name: 'schema violation',
      message: "2 schema violations (failed conditional validation given value of field 'hash_on'; hash_on_header: required field missing)",
      fields: { hash_on_header: 'required field missing', '@entity': ["failed conditional validation given value of field 'hash_on'"] },
    });
    res = await h.json('POST', '/upstreams', { name: 'u', hash_on: 'none', hash_fallback: 'ip' });
    assert.deepEqual(res.json().fields.hash_fallback, 'expected one of: none');
    res = await h.json('POST', '/upstreams', { name: 'u', hash_on: 'header', hash_on_header: 'x-a', hash_fallback: 'header', hash_fallback_header: 'x-a' });
    assert.deepEqual(res.json().fields, { '@entity': ["values of these fields must be distinct: 'hash_on_header', 'hash_fallback_header'"] });
    res = await h.json('POST', '/upstreams', { name: 'u', algorithm: 'consistent-hashing', hash_on: 'query_arg', hash_on_query_arg: 'user', hash_fallback: 'ip' });
    assert.equal(res.statusCode, 201);
    res = await h.json('POST', '/upstreams', { name: 'u' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().message, `UNIQUE violation detected on '{name="u"}'`);
  } finally {
    await h.close();
  }
});

test('targets: default port 8000, weight default 100, unique per upstream (409), nested look-ups by host:port', async () => {
  const h = await harness();
  try {
    const u = (await h.json('POST', '/upstreams', { name: 'svc.v1' })).json();
    await h.json('POST', '/upstreams', { name: 'other' });
    let res = await h.form('POST', '/upstreams/svc.v1/targets', 'target=10.0.0.1');
    assert.equal(res.statusCode, 201);
    const t = res.json();
    assert.equal(t.target, '10.0.0.1:8000');
    assert.equal(t.weight, 100);
    assert.deepEqual(t.upstream, { id: u.id });
    res = await h.json('POST', '/upstreams/svc.v1/targets', { target: '10.0.0.1:8000' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().message, `UNIQUE violation detected on '{target="10.0.0.1:8000",upstream={id="${u.id}"}}'`);
    // The same address on another upstream is fine.
    assert.equal((await h.json('POST', '/upstreams/other/targets', { target: '10.0.0.1' })).statusCode, 201);
    res = await h.json('POST', '/upstreams/svc.v1/targets', { target: 'bad host', weight: 70000 });
    assert.deepEqual(res.json().fields, { weight: 'value should be between 0 and 65535' });
    res = await h.json('POST', '/upstreams/svc.v1/targets', { target: 'bad host' });
    assert.deepEqual(res.json().fields, { target: "Invalid target ('bad host'); not a valid hostname or ip address" });
    assert.equal((await h.json('POST', '/upstreams/svc.v1/targets', { target: '::1', weight: 0 })).json().target, '[::1]:8000');

    assert.equal((await h.json('GET', '/upstreams/svc.v1/targets/10.0.0.1:8000')).json().id, t.id);
    assert.equal((await h.json('GET', '/upstreams/svc.v1/targets/10.0.0.1')).json().id, t.id, 'a key without port means port 8000');
    assert.equal((await h.json('GET', '/upstreams/other/targets/' + t.id)).statusCode, 404, 'a target of another upstream is not found');
    res = await h.json('PATCH', '/upstreams/svc.v1/targets/10.0.0.1:8000', { weight: 5 });
    assert.equal(res.json().weight, 5);
    res = await h.json('PUT', '/upstreams/svc.v1/targets/b.internal:9000', { weight: 7 });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().target, 'b.internal:9000');
    assert.equal((await h.json('GET', '/upstreams/svc.v1/targets')).json().data.length, 3);
    assert.equal((await h.json('GET', '/upstreams/svc.v1/targets/all')).json().data.length, 3);
    // Kong 3 has no top-level targets collection.
    assert.equal((await h.json('GET', '/targets')).statusCode, 404);

    assert.equal((await h.json('DELETE', '/upstreams/svc.v1/targets/b.internal:9000')).statusCode, 204);
    // Deleting the upstream takes its targets with it, each leaving a tombstone.
    const before = h.store.count('targets');
    assert.equal((await h.json('DELETE', '/upstreams/svc.v1')).statusCode, 204);
    assert.equal(h.store.count('targets'), before - 2);
    assert.ok(h.store.changesSince(0).removed.some((r) => r.type === 'targets' && r.id === t.id));
  } finally {
    await h.close();
  }
});
