import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyBasicAuthPassword, type Logger } from '@portico/shared';
import { harness } from './test-support.js';
import { RSA_PUBLIC_KEY } from './test-certs.js';

test('consumers: username or custom_id required (Kong message), unique, found by username or id', async () => {
  const h = await harness();
  try {
    let res = await h.json('POST', '/consumers', {});
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      code: 2,
      name: 'schema violation',
      message: "schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')",
      fields: { '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"] },
    });
    res = await h.form('POST', '/consumers', 'username=alice&custom_id=a-1');
    assert.equal(res.statusCode, 201);
    const alice = res.json();
    assert.deepEqual(Object.keys(alice).sort(), ['created_at', 'custom_id', 'id', 'tags', 'updated_at', 'username']);
    res = await h.json('POST', '/consumers', { custom_id: 'a-1' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().message, `UNIQUE violation detected on '{custom_id="a-1"}'`);
    assert.equal((await h.json('GET', '/consumers/alice')).json().id, alice.id);
    assert.equal((await h.json('GET', `/consumers/${alice.id}`)).json().username, 'alice');
    assert.equal((await h.json('PUT', '/consumers/bob', {})).statusCode, 200, 'PUT by username sets the username');
  } finally {
    await h.close();
  }
});

test('key-auth: key generated when absent, unique, nested and global endpoints; global POST is 405 as in Kong', async () => {
  const h = await harness();
  try {
    const c = (await h.json('POST', '/consumers', { username: 'alice' })).json();
    let res = await h.json('POST', '/consumers/alice/key-auth', {});
    assert.equal(res.statusCode, 201);
    assert.match(res.json().key, /^[0-9a-f]{32}$/);
    assert.deepEqual(res.json().consumer, { id: c.id });
    res = await h.form('POST', '/consumers/alice/key-auth', 'key=secret-key-1');
    assert.equal(res.json().key, 'secret-key-1');
    res = await h.json('POST', '/consumers/alice/key-auth', { key: 'secret-key-1' });
    assert.equal(res.statusCode, 409);
    assert.equal((await h.json('GET', '/key-auths/secret-key-1')).json().consumer.id, c.id);
    assert.equal((await h.json('GET', '/key-auths/secret-key-1/consumer')).json().username, 'alice');
    assert.equal((await h.json('GET', '/key-auths')).json().data.length, 2);
    assert.equal((await h.json('POST', '/key-auths', { key: 'x', consumer: { id: c.id } })).statusCode, 405);
    // Someone else's credential is not found under this consumer.
    await h.json('POST', '/consumers', { username: 'bob' });
    assert.equal((await h.json('GET', '/consumers/bob/key-auth/secret-key-1')).statusCode, 404);
    assert.equal((await h.json('DELETE', '/consumers/alice/key-auth/secret-key-1')).statusCode, 204);
    assert.equal((await h.json('GET', '/key-auths/secret-key-1')).statusCode, 404);
  } finally {
    await h.close();
  }
});

test('jwt: key and secret generated, HS256 default, asymmetric algorithms need a parsable public key', async () => {
  const h = await harness();
  try {
    await h.json('POST', '/consumers', { username: 'alice' });
    let res = await h.json('POST', '/consumers/alice/jwt', {});
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().algorithm, 'HS256');
    assert.match(res.json().key, /^[0-9a-f]{32}$/);
    assert.match(res.json().secret, /^[0-9a-f]{32}$/);
    assert.equal(res.json().rsa_public_key, null);
    res = await h.json('POST', '/consumers/alice/jwt', { algorithm: 'RS256' });
    assert.deepEqual(res.json().fields, { rsa_public_key: 'required field missing', '@entity': ["failed conditional validation given value of field 'algorithm'"] });
    res = await h.json('POST', '/consumers/alice/jwt', { algorithm: 'RS256', rsa_public_key: 'not a key' });
    assert.equal(res.json().fields.rsa_public_key, 'invalid key');
    res = await h.json('POST', '/consumers/alice/jwt', { algorithm: 'HS1', key: 'k' });
    assert.equal(res.json().fields.algorithm, 'expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA');
    res = await h.json('POST', '/consumers/alice/jwt', { algorithm: 'RS256', rsa_public_key: RSA_PUBLIC_KEY, key: 'issuer-a' });
    assert.equal(res.statusCode, 201);
    assert.equal((await h.json('GET', '/jwts/issuer-a')).json().algorithm, 'RS256');
    assert.equal((await h.json('GET', '/consumers/alice/jwt')).json().data.length, 2);
  } finally {
    await h.close();
  }
});

test('basic-auth: the password is stored and returned only hashed, rehashed only when changed', async () => {
  const h = await harness();
  try {
    const c = (await h.json('POST', '/consumers', { username: 'alice' })).json();
    let res = await h.form('POST', '/consumers/alice/basic-auth', 'username=alice-login&password=hunter2-plaintext');
    assert.equal(res.statusCode, 201);
    const cred = res.json();
    assert.notEqual(cred.password, 'hunter2-plaintext');
    assert.ok(verifyBasicAuthPassword(cred.password, 'hunter2-plaintext', c.id));
    assert.ok(!verifyBasicAuthPassword(cred.password, 'wrong', c.id));
    assert.ok(!JSON.stringify(h.store.allResources()).includes('hunter2-plaintext'), 'the store never holds the plaintext');
    // PATCH without a password keeps the hash; PUT of the read body keeps it too.
    res = await h.json('PATCH', `/basic-auths/${cred.id}`, { tags: ['x'] });
    assert.equal(res.json().password, cred.password);
    const { consumer: _c, ...readBack } = (await h.json('GET', '/basic-auths/alice-login')).json();
    res = await h.json('PUT', '/consumers/alice/basic-auth/alice-login', readBack);
    assert.equal(res.json().password, cred.password);
    res = await h.json('PATCH', '/consumers/alice/basic-auth/alice-login', { password: 'new-pass' });
    assert.ok(verifyBasicAuthPassword(res.json().password, 'new-pass', c.id));
    assert.equal((await h.json('POST', '/consumers/alice/basic-auth', { username: 'alice-login', password: 'x' })).statusCode, 409);
    // Kong's legacy sha1(password .. consumer_id) still verifies (imports from Kong).
    const { createHash } = await import('node:crypto');
    assert.ok(verifyBasicAuthPassword(createHash('sha1').update('pw' + c.id).digest('hex'), 'pw', c.id));
  } finally {
    await h.close();
  }
});

test('acls: group required, unique per consumer (409), addressed by group within the consumer', async () => {
  const h = await harness();
  try {
    const c = (await h.json('POST', '/consumers', { username: 'alice' })).json();
    await h.json('POST', '/consumers', { username: 'bob' });
    assert.deepEqual((await h.json('POST', '/consumers/alice/acls', {})).json().fields, { group: 'required field missing' });
    const acl = (await h.form('POST', '/consumers/alice/acls', 'group=admins')).json();
    let res = await h.json('POST', '/consumers/alice/acls', { group: 'admins' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().message, `UNIQUE violation detected on '{consumer={id="${c.id}"},group="admins"}'`);
    assert.equal((await h.json('POST', '/consumers/bob/acls', { group: 'admins' })).statusCode, 201);
    assert.equal((await h.json('GET', '/consumers/alice/acls/admins')).json().id, acl.id);
    assert.equal((await h.json('GET', `/acls/${acl.id}`)).json().group, 'admins');
    assert.equal((await h.json('GET', '/acls')).json().data.length, 2);
    assert.equal((await h.json('DELETE', '/consumers/alice/acls/admins')).statusCode, 204);
    assert.equal((await h.json('GET', '/consumers/alice/acls')).json().data.length, 0);
  } finally {
    await h.close();
  }
});

test('deleting a consumer removes its credentials (with tombstones); bad credential input changes nothing', async () => {
  const h = await harness();
  try {
    await h.json('POST', '/consumers', { username: 'alice' });
    await h.json('POST', '/consumers/alice/key-auth', { key: 'k1' });
    await h.json('POST', '/consumers/alice/jwt', {});
    await h.json('POST', '/consumers/alice/basic-auth', { username: 'u', password: 'p' });
    await h.json('POST', '/consumers/alice/acls', { group: 'g' });
    const version = h.store.version();
    assert.equal((await h.json('POST', '/consumers/alice/acls', { group: 'g', tags: 'x' })).statusCode, 400);
    assert.equal((await h.json('POST', '/consumers/nobody/key-auth', {})).statusCode, 404);
    assert.equal((await h.json('POST', '/consumers/alice/basic-auth', { username: 'u2' })).statusCode, 400);
    assert.equal(h.store.version(), version);
    assert.equal((await h.json('DELETE', '/consumers/alice')).statusCode, 204);
    for (const t of ['keyauth_credentials', 'jwt_secrets', 'basicauth_credentials', 'acls'] as const) assert.equal(h.store.count(t), 0, t);
    assert.equal(h.store.version(), version + 1, 'one delete, one version');
    assert.equal(h.store.changesSince(version).removed.length, 5);
  } finally {
    await h.close();
  }
});

test('credential secrets never reach the log, even when a request fails unexpectedly', async () => {
  const lines: string[] = [];
  const capture = (level: string) => (obj: unknown, msg?: string) => lines.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`);
  const log = { error: capture('error'), warn: capture('warn'), info: capture('info'), debug: capture('debug'), child: () => log } as unknown as Logger;
  const h = await harness({ log });
  try {
    await h.json('POST', '/consumers', { username: 'alice' });
    await h.json('POST', '/consumers/alice/key-auth', { key: 'very-secret-key' });
    await h.json('POST', '/consumers/alice/key-auth', { key: 'very-secret-key' });
    await h.json('POST', '/consumers/alice/basic-auth', { username: 'u', password: 'very-secret-password' });
    await h.json('POST', '/consumers/alice/jwt', { secret: 'very-secret-jwt', algorithm: 'nope' });
    // A closed database makes the next write a 500, which is logged.
    h.store.close();
    const res = await h.json('POST', '/consumers/alice/basic-auth', { username: 'u3', password: 'very-secret-password' });
    assert.equal(res.statusCode, 500);
    assert.ok(lines.length > 0, 'the 500 was logged');
    assert.ok(!lines.join('\n').includes('very-secret'), lines.join('\n'));
  } finally {
    await h.app.close();
  }
});
