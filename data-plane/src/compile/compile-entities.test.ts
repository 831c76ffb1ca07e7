// compile() of the issue-3 entities: references, plugin configs and
// unsupported settings are NACKed whole with a message naming the resource.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPorticoError, SharedErrors, type Resource } from '@portico/shared';
import { compile } from './compile.js';
import { consumer, keyAuthCredential, plugin, route, service, target, uuid } from './test-fixtures.js';

const SVC = uuid();
const RT = uuid();
const base = (): Resource[] => [service(SVC), route(RT, SVC)];
const snap = (resources: Resource[]) => ({ version: 1, hash: 'h', resources });

function nack(resources: Resource[], pattern: RegExp): void {
  assert.throws(() => compile(snap(resources)), (err: unknown) => {
    assert.ok(isPorticoError(err, SharedErrors.SNAPSHOT_INVALID), String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

describe('compile: plugins, consumers, upstreams', () => {
  it('rejects the redis and cluster policies of rate-limiting with a clear message', () => {
    nack([...base(), plugin(uuid(), 'rate-limiting', { minute: 5, policy: 'redis', redis: { host: 'r' } })], /policy 'redis' is not supported/);
    nack([...base(), plugin(uuid(), 'rate-limiting', { minute: 5, policy: 'cluster' })], /policy 'cluster' is not supported/);
  });
  it("rejects plugin configs that break Kong's checks, with Kong's messages", () => {
    nack([...base(), plugin(uuid(), 'rate-limiting', { minute: 5, hour: 2 })], /The limit for hour\(2\.0\) cannot be lower than the limit for minute\(5\.0\)/);
    const noLimit = plugin(uuid(), 'rate-limiting', { minute: 5 });
    const body = JSON.parse(noLimit.body);
    body.config.minute = null;
    nack([...base(), { ...noLimit, body: JSON.stringify(body) }], /at least one of these fields must be non-empty/);
  });
  it('rejects unknown plugins, dangling scope references and forbidden scopes', () => {
    nack([...base(), plugin(uuid(), 'no-such-plugin', {})], /plugin 'no-such-plugin' is not available/);
    nack([...base(), plugin(uuid(), 'key-auth', {}, { route: uuid() })], /route: references route/);
    const c = uuid();
    nack([...base(), consumer(c, { username: 'c' }), plugin(uuid(), 'key-auth', {}, { consumer: c })], /consumer: value must be null/);
  });
  it('rejects credentials of a missing consumer, and never names the key', () => {
    nack([...base(), keyAuthCredential(uuid(), uuid(), 'top-secret')], /consumer: references consumer/);
    const c = uuid();
    assert.throws(
      () => compile(snap([...base(), consumer(c, { username: 'c' }), keyAuthCredential(uuid(), c, 'top-secret'), keyAuthCredential(uuid(), c, 'top-secret')])),
      (err: Error) => /same key as/.test(err.message) && !err.message.includes('top-secret'),
    );
  });
  it('rejects targets of a missing upstream', () => {
    nack([...base(), target(uuid(), uuid(), '127.0.0.1:80')], /upstream: references upstream/);
  });
  it('a disabled instance is invisible: the lower-precedence enabled one applies', () => {
    const routeLevel = uuid();
    const global = uuid();
    const config = compile(snap([...base(), plugin(routeLevel, 'rate-limiting', { minute: 1 }, { route: RT, enabled: false }), plugin(global, 'rate-limiting', { minute: 9 })]));
    assert.deepEqual(config.routes.get(RT)!.plugins!.http!.entries.map((e) => e.pluginId), [global]);
    assert.deepEqual([...config.pluginIds], [global]);
  });
  it('routes without plugins compile to plugins: null, and unchanged ones keep their compiled objects', () => {
    const first = compile(snap(base()));
    assert.equal(first.routes.get(RT)!.plugins, null);
    const second = compile(snap([...base(), consumer(uuid(), { username: 'x' })]), first);
    assert.equal(second.routes.get(RT), first.routes.get(RT));
  });
});
