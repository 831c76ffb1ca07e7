// key-auth through the real proxy: compile() from stored bodies, a real
// upstream that echoes what it received.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { consumer, keyAuthCredential, plugin, route, service, startCompiledProxy, uuid, type CompiledProxy } from '../../compile/test-fixtures.js';
import { echo, json, send, startUpstream, type Upstream } from '../../proxy/test-support.js';
import { sameKey } from './handler.js';

type Echo = { url: string; headers: Record<string, string>; body: string };

describe('key-auth', () => {
  let up: Upstream;
  let px: CompiledProxy;
  const SVC = uuid();
  const RT = uuid();
  const OPEN = uuid();
  const HIDE = uuid();
  const BODY = uuid();
  const ANON_RT = uuid();
  const ALICE = uuid();
  const ANON = uuid();
  const CRED = uuid();

  before(async () => {
    up = await startUpstream(echo);
    px = await startCompiledProxy([
      service(SVC, { port: up.port }),
      route(RT, SVC, { paths: ['/private'] }),
      route(OPEN, SVC, { paths: ['/open'] }),
      route(HIDE, SVC, { paths: ['/hide'] }),
      route(BODY, SVC, { paths: ['/body'] }),
      route(ANON_RT, SVC, { paths: ['/anon'] }),
      consumer(ALICE, { username: 'alice', custom_id: 'c-1' }),
      consumer(ANON, { username: 'anonymous' }),
      keyAuthCredential(CRED, ALICE, 'secret-key-1'),
      plugin(uuid(), 'key-auth', {}, { route: RT }),
      plugin(uuid(), 'key-auth', { hide_credentials: true }, { route: HIDE }),
      plugin(uuid(), 'key-auth', { key_in_body: true, hide_credentials: true }, { route: BODY }),
      plugin(uuid(), 'key-auth', { anonymous: 'anonymous' }, { route: ANON_RT }),
    ]);
  });
  after(async () => {
    await px.close();
    await up.close();
  });

  it('answers 401 "No API key found in request" with a WWW-Authenticate challenge when no key is sent', async () => {
    const r = await send(px.port, { path: '/private' });
    assert.equal(r.status, 401);
    assert.equal(json(r)['message'], 'No API key found in request');
    assert.equal(r.headers['www-authenticate'], 'Key realm="kong"');
    assert.match(String(r.headers['content-type']), /^application\/json/);
  });

  it('answers 401 "Invalid authentication credentials" for an unknown key', async () => {
    const r = await send(px.port, { path: '/private', headers: { apikey: 'nope' } });
    assert.equal(r.status, 401);
    assert.equal(json(r)['message'], 'Invalid authentication credentials');
  });

  it('accepts the key in the header and sends the consumer headers upstream, overriding client-sent ones', async () => {
    const r = await send(px.port, { path: '/private', headers: { apikey: 'secret-key-1', 'x-consumer-id': 'forged', 'x-anonymous-consumer': 'true' } });
    assert.equal(r.status, 200);
    const h = json<Echo>(r).headers;
    assert.equal(h['x-consumer-id'], ALICE);
    assert.equal(h['x-consumer-username'], 'alice');
    assert.equal(h['x-consumer-custom-id'], 'c-1');
    assert.equal(h['x-credential-identifier'], CRED);
    assert.equal(h['x-anonymous-consumer'], undefined);
    assert.equal(h['apikey'], 'secret-key-1', 'without hide_credentials the key is forwarded');
  });

  it('accepts the key in the query string (header names are case-insensitive, query names exact)', async () => {
    assert.equal((await send(px.port, { path: '/private?apikey=secret-key-1' })).status, 200);
    assert.equal((await send(px.port, { path: '/private', headers: { ApiKey: 'secret-key-1' } })).status, 200);
    assert.equal((await send(px.port, { path: '/private?APIKEY=secret-key-1' })).status, 401);
  });

  it('refuses a key sent twice', async () => {
    const r = await send(px.port, { path: '/private?apikey=a&apikey=b' });
    assert.equal(r.status, 401);
    assert.equal(json(r)['message'], 'Duplicate API key found');
  });

  it('hide_credentials strips the key from the header and the query before proxying', async () => {
    const a = json<Echo>(await send(px.port, { path: '/hide', headers: { apikey: 'secret-key-1' } }));
    assert.equal(a.headers['apikey'], undefined);
    const b = json<Echo>(await send(px.port, { path: '/hide?x=1&apikey=secret-key-1&y=2' }));
    assert.equal(b.url, '/?x=1&y=2');
  });

  it('key_in_body reads form and JSON bodies, and hide_credentials removes the key from the forwarded body', async () => {
    const form = await send(px.port, { method: 'POST', path: '/body', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&apikey=secret-key-1' });
    assert.equal(form.status, 200);
    assert.equal(json<Echo>(form).body, 'a=1');
    const js = await send(px.port, { method: 'POST', path: '/body', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apikey: 'secret-key-1', n: 2 }) });
    assert.equal(js.status, 200);
    assert.deepEqual(JSON.parse(json<Echo>(js).body), { n: 2 });
    assert.equal(json<Echo>(js).headers['x-consumer-id'], ALICE);
    const none = await send(px.port, { method: 'POST', path: '/body', headers: { 'content-type': 'text/plain' }, body: 'apikey=secret-key-1' });
    assert.equal(none.status, 401);
  });

  it('anonymous: a failed authentication proceeds as the anonymous consumer with X-Anonymous-Consumer', async () => {
    const r = await send(px.port, { path: '/anon' });
    assert.equal(r.status, 200);
    const h = json<Echo>(r).headers;
    assert.equal(h['x-consumer-id'], ANON);
    assert.equal(h['x-anonymous-consumer'], 'true');
    assert.equal(h['x-credential-identifier'], undefined);
    const ok = json<Echo>(await send(px.port, { path: '/anon', headers: { apikey: 'secret-key-1' } }));
    assert.equal(ok.headers['x-consumer-id'], ALICE);
  });

  it('routes without the plugin are untouched (no consumer headers, no 401)', async () => {
    const r = await send(px.port, { path: '/open' });
    assert.equal(r.status, 200);
    assert.equal(json<Echo>(r).headers['x-consumer-id'], undefined);
  });

  it('run_on_preflight false lets OPTIONS through unauthenticated', async () => {
    const RT2 = uuid();
    const SVC2 = uuid();
    px.apply([service(SVC2, { port: up.port }), route(RT2, SVC2, { paths: ['/pre'] }), plugin(uuid(), 'key-auth', { run_on_preflight: false }, { route: RT2 })]);
    assert.equal((await send(px.port, { method: 'OPTIONS', path: '/pre' })).status, 200);
    assert.equal((await send(px.port, { method: 'GET', path: '/pre' })).status, 401);
  });

  it('one keep-alive connection: each key is checked as itself, and a credential change applies to the next request', async () => {
    const BOB = uuid();
    const BOB_CRED = uuid();
    const base = [service(SVC, { port: up.port }), route(RT, SVC, { paths: ['/private'] }), consumer(ALICE, { username: 'alice' }), consumer(BOB, { username: 'bob' }), keyAuthCredential(BOB_CRED, BOB, 'bob-key'), plugin(uuid(), 'key-auth', {}, { route: RT })];
    px.apply([...base, keyAuthCredential(CRED, ALICE, 'secret-key-1')]);
    const pool = new Pool(`http://127.0.0.1:${px.port}`, { connections: 1, pipelining: 1 });
    let connections = 0;
    pool.on('connect', () => connections++);
    const as = async (key: string): Promise<string | number> => {
      const r = await pool.request({ method: 'GET', path: '/private', headers: { apikey: key } });
      const body = await r.body.text();
      return r.statusCode === 200 ? (JSON.parse(body) as Echo).headers['x-consumer-username']! : r.statusCode;
    };
    try {
      assert.equal(await as('secret-key-1'), 'alice');
      assert.equal(await as('secret-key-1'), 'alice');
      assert.equal(await as('secret-key-2'), 401, 'a key differing in its last character');
      assert.equal(await as('bob-key'), 'bob');
      assert.equal(await as('secret-key-1'), 'alice', 'the key, not the connection, decides the consumer');
      px.apply(base); // alice's credential deleted
      assert.equal(await as('secret-key-1'), 401, 'a deleted credential stops working on a connection that used it');
      assert.equal(await as('bob-key'), 'bob');
      assert.equal(connections, 1, 'every request went over the one connection');
    } finally {
      await pool.close();
    }
  });
});

describe('sameKey', () => {
  it('is true only for equal strings', () => {
    assert.equal(sameKey('secret-key-1', 'secret-key-1'), true);
    assert.equal(sameKey('secret-key-1', 'secret-key-2'), false);
    assert.equal(sameKey('xecret-key-1', 'secret-key-1'), false);
    assert.equal(sameKey('secret-key-1', 'secret-key-10'), false);
    assert.equal(sameKey('', ''), true);
  });
});

// An instance reads the consumer table of the config each request runs on, so
// consumer and credential edits keep every plugin instance and route record
// (compile-plugins.ts): at 10,000 routes, an API key added is no route pass.
describe('key-auth across consumer and credential edits', () => {
  it('a key added later authenticates at once, one removed is refused, and no route is compiled again', async () => {
    const up = await startUpstream(echo);
    const SVC = uuid();
    const RT = uuid();
    const ANON_RT = uuid();
    const BOB = uuid();
    const base = [
      service(SVC, { port: up.port }),
      route(RT, SVC, { paths: ['/p'] }),
      route(ANON_RT, SVC, { paths: ['/a'] }),
      consumer(BOB, { username: 'bob' }),
      keyAuthCredential(uuid(), BOB, 'k-1'),
      plugin(uuid(), 'key-auth', {}, { route: RT }),
      plugin(uuid(), 'key-auth', { anonymous: 'guest' }, { route: ANON_RT }),
    ];
    const px = await startCompiledProxy(base);
    try {
      const first = px.cell.current!;
      assert.equal((await send(px.port, { path: '/p', headers: { apikey: 'k-2' } })).status, 401);
      assert.equal((await send(px.port, { path: '/a' })).status, 500, 'anonymous names no consumer yet (Kong: 500)');

      const added = [...base, keyAuthCredential(uuid(), BOB, 'k-2'), consumer(uuid(), { username: 'guest' })];
      const next = px.apply(added);
      assert.notEqual(next.consumers, first.consumers);
      for (const id of [RT, ANON_RT]) assert.equal(next.routes.get(id), first.routes.get(id), 'the route as it was: its plugin chain not resolved again');
      const ok = await send(px.port, { path: '/p', headers: { apikey: 'k-2' } });
      assert.equal(ok.status, 200);
      assert.equal((json(ok) as unknown as Echo).headers['x-consumer-username'], 'bob');
      const guest = await send(px.port, { path: '/a' });
      assert.equal(guest.status, 200, 'the anonymous consumer exists now');
      assert.equal((json(guest) as unknown as Echo).headers['x-consumer-username'], 'guest');

      px.apply(base);
      assert.equal((await send(px.port, { path: '/p', headers: { apikey: 'k-2' } })).status, 401, 'the removed key');
      assert.equal((await send(px.port, { path: '/p', headers: { apikey: 'k-1' } })).status, 200);
      assert.equal((await send(px.port, { path: '/a' })).status, 500, 'the anonymous consumer is gone again');
    } finally {
      await px.close();
      await up.close();
    }
  });
});
