import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PluginSchemaDefinition } from '@portico/shared';
import { harness } from './test-support.js';

// Test-only plugin definitions, injected through buildAdminApp's `plugins`. The
// control plane does not depend on TypeBox, so configs are written as the JSON
// Schema TypeBox would produce.
type Config = PluginSchemaDefinition['config'];
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ type: 'object', properties, required: Object.keys(properties), ...extra }) as unknown as Config;
const nullable = (s: Record<string, unknown>) => ({ anyOf: [s, { type: 'null' }] });
const rateLimiting: PluginSchemaDefinition = {
  name: 'rate-limiting',
  priority: 910,
  config: obj({
    minute: nullable({ type: 'integer', minimum: 0 }),
    hour: nullable({ type: 'integer', minimum: 0 }),
    policy: { anyOf: [{ const: 'local' }, { const: 'redis' }], default: 'local' },
    redis: { ...(obj({ host: nullable({ type: 'string' }), port: { type: 'integer', default: 6379 } }) as object), default: {} },
  }),
  check: (c) => (c['minute'] === null && c['hour'] === null ? { '@entity': ["at least one of these fields must be non-empty: 'config.minute', 'config.hour'"] } : null),
};
const keyAuth: PluginSchemaDefinition = {
  name: 'key-auth',
  priority: 1250,
  noConsumer: true,
  config: obj({ key_names: { type: 'array', items: { type: 'string' }, default: ['apikey'] }, hide_credentials: { type: 'boolean', default: false } }),
};
const plugins = new Map([
  ['rate-limiting', rateLimiting],
  ['key-auth', keyAuth],
]);

test('plugins: config validated against the plugin schema, defaults filled, form config.minute coerced, Kong defaults', async () => {
  const h = await harness({ plugins });
  try {
    await h.json('POST', '/services', { name: 's', host: 'a.com' });
    let res = await h.form('POST', '/services/s/plugins', 'name=rate-limiting&config.minute=5');
    assert.equal(res.statusCode, 201);
    const p = res.json();
    assert.deepEqual(p.config, { minute: 5, hour: null, policy: 'local', redis: { host: null, port: 6379 } });
    assert.deepEqual(p.protocols, ['grpc', 'grpcs', 'http', 'https']);
    assert.equal(p.enabled, true);
    assert.equal(p.ordering, null);
    assert.equal(p.instance_name, null);
    assert.equal(p.route, null);
    assert.equal(p.consumer, null);
    assert.ok(p.service.id);

    res = await h.json('POST', '/plugins', { name: 'rate-limiting', config: { minute: 'x' } });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      code: 2,
      name: 'schema violation',
      message: 'schema violation (config.minute: expected an integer)',
      fields: { config: { minute: 'expected an integer' } },
    });
    res = await h.json('POST', '/plugins', { name: 'rate-limiting', config: {} });
    // Kong puts a plugin's cross-field message at the top of `fields`, not inside `config`.
    assert.deepEqual(res.json().fields, { '@entity': ["at least one of these fields must be non-empty: 'config.minute', 'config.hour'"] });
    res = await h.json('POST', '/plugins', { name: 'nope' });
    assert.deepEqual(res.json().fields, { name: "plugin 'nope' not enabled; add it to the 'plugins' configuration property" });
    assert.equal(res.json().message, "schema violation (name: plugin 'nope' not enabled; add it to the 'plugins' configuration property)");

    // PATCH merges config like Kong (a form PATCH is coerced by the stored plugin's schema).
    res = await h.form('PATCH', `/plugins/${p.id}`, 'config.hour=100');
    assert.equal(res.statusCode, 200);
    assert.deepEqual([res.json().config.minute, res.json().config.hour], [5, 100]);
    res = await h.json('PATCH', `/plugins/${p.id}`, { config: { redis: { host: 'r' } } });
    assert.deepEqual(res.json().config.redis, { host: 'r', port: 6379 });
  } finally {
    await h.close();
  }
});

test('plugins: one per name and scope (409), scope flags, instance_name key, nested endpoints by name or username', async () => {
  const h = await harness({ plugins });
  try {
    const s = (await h.json('POST', '/services', { name: 's', host: 'a.com' })).json();
    await h.json('POST', '/routes', { name: 'r', paths: ['/r'], service: { name: 's' } });
    await h.json('POST', '/consumers', { username: 'alice' });
    assert.equal((await h.json('POST', '/plugins', { name: 'key-auth', service: { name: 's' } })).statusCode, 201);
    let res = await h.json('POST', '/services/s/plugins', { name: 'key-auth' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().message, `UNIQUE violation detected on '{consumer=null,name="key-auth",route=null,service={id="${s.id}"}}'`);
    assert.equal((await h.json('POST', '/routes/r/plugins', { name: 'key-auth' })).statusCode, 201, 'another scope is fine');
    res = await h.json('POST', '/consumers/alice/plugins', { name: 'key-auth' });
    assert.deepEqual(res.json().fields, { consumer: 'value must be null' });
    res = await h.json('POST', '/plugins', { name: 'rate-limiting', instance_name: 'rl-global', config: { minute: 1 }, consumer: { username: 'alice' } });
    assert.equal(res.statusCode, 201);
    const rl = res.json();
    assert.equal((await h.json('GET', '/plugins/rl-global')).json().id, rl.id);
    assert.equal((await h.json('GET', '/consumers/alice/plugins')).json().data.length, 1);
    assert.equal((await h.json('GET', `/consumers/alice/plugins/${rl.id}`)).json().name, 'rate-limiting');
    assert.equal((await h.json('GET', `/services/s/plugins/${rl.id}`)).statusCode, 404);
    assert.equal((await h.json('GET', '/plugins/rl-global/consumer')).json().username, 'alice');
    assert.equal((await h.json('GET', '/plugins?size=1')).json().data.length, 1);
    res = await h.json('POST', '/plugins', { name: 'key-auth', protocols: ['tcp'] });
    assert.deepEqual(res.json().fields, { protocols: ['expected one of: grpc, grpcs, http, https, ws, wss'] });
  } finally {
    await h.close();
  }
});

test('cascades: a service with a plugin deletes with it; a service with routes is refused; a consumer takes its plugins', async () => {
  const h = await harness({ plugins });
  try {
    await h.json('POST', '/services', { name: 'lonely', host: 'a.com' });
    await h.json('POST', '/services/lonely/plugins', { name: 'key-auth' });
    assert.equal((await h.json('DELETE', '/services/lonely')).statusCode, 204);
    assert.equal(h.store.count('plugins'), 0);

    await h.json('POST', '/services', { name: 'busy', host: 'a.com' });
    await h.json('POST', '/services/busy/routes', { paths: ['/b'] });
    await h.json('POST', '/services/busy/plugins', { name: 'key-auth' });
    const version = h.store.version();
    const res = await h.json('DELETE', '/services/busy');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      code: 4,
      name: 'foreign key violation',
      message: "an existing 'routes' entity references this 'services' entity",
      fields: { '@referenced_by': 'routes' },
    });
    assert.equal(h.store.count('plugins'), 1, 'a refused delete removes nothing');
    assert.equal(h.store.version(), version);

    await h.json('POST', '/consumers', { username: 'alice' });
    await h.json('POST', '/consumers/alice/plugins', { name: 'rate-limiting', config: { hour: 1 } });
    assert.equal(h.store.count('plugins'), 2);
    await h.json('DELETE', '/consumers/alice');
    assert.equal(h.store.count('plugins'), 1);
  } finally {
    await h.close();
  }
});

test('GET /plugins/enabled and plugin schemas (Kong field shape); unknown names are 404', async () => {
  const h = await harness({ plugins });
  try {
    assert.deepEqual((await h.json('GET', '/plugins/enabled')).json(), { enabled_plugins: ['key-auth', 'rate-limiting'] });
    const schema = (await h.json('GET', '/schemas/plugins/rate-limiting')).json();
    const config = schema.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    assert.equal(config.type, 'record');
    assert.deepEqual(config.fields.find((f: Record<string, unknown>) => 'policy' in f).policy, { type: 'string', one_of: ['local', 'redis'], default: 'local' });
    assert.deepEqual((await h.json('GET', '/plugins/schema/key-auth')).statusCode, 200);
    const missing = await h.json('GET', '/schemas/plugins/nope');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { message: "No plugin named 'nope'" });
    const upstreams = (await h.json('GET', '/schemas/upstreams')).json();
    assert.deepEqual(upstreams.fields.find((f: Record<string, unknown>) => 'slots' in f).slots, { type: 'integer', between: [10, 65536], default: 10000 });
    assert.equal((await h.json('GET', '/schemas/nope')).statusCode, 404);
  } finally {
    await h.close();
  }
});
