// compile(): valid snapshots become an immutable CompiledConfig with a
// working router; every kind of invalid snapshot is rejected whole with
// SNAPSHOT_INVALID and a message naming the resource and field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPorticoError, SharedErrors, type Resource } from '@portico/shared';
import { compile } from './compile.js';

const SVC = '11111111-1111-4111-8111-111111111111';
const SVC2 = '22222222-2222-4222-8222-222222222222';
const RT = '33333333-3333-4333-8333-333333333333';
const RT2 = '44444444-4444-4444-8444-444444444444';

function service(over: Record<string, unknown> = {}, id = SVC): Resource {
  const body = {
    id, created_at: 1, updated_at: 1, name: 'svc', enabled: true, retries: 5, protocol: 'http', host: 'backend.internal',
    port: 80, path: null, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, tags: null,
    client_certificate: null, tls_verify: null, tls_verify_depth: null, ca_certificates: null, ...over,
  };
  return { type: 'services', id, body: JSON.stringify(body) };
}

function route(over: Record<string, unknown> = {}, id = RT): Resource {
  const body = {
    id, created_at: 1, updated_at: 1, name: 'rt', protocols: ['http', 'https'], methods: null, hosts: null, paths: ['/api'],
    headers: null, https_redirect_status_code: 426, regex_priority: 0, strip_path: true, path_handling: 'v0',
    preserve_host: false, request_buffering: true, response_buffering: true, snis: null, sources: null, destinations: null,
    tags: null, service: { id: SVC }, ...over,
  };
  return { type: 'routes', id, body: JSON.stringify(body) };
}

const snap = (...resources: Resource[]) => ({ version: 7, hash: 'h', resources });
const req = (path: string) => ({ method: 'GET', host: 'example.com', path, headers: {} });

function assertInvalid(resources: Resource[], pattern: RegExp): void {
  assert.throws(() => compile(snap(...resources)), (err: unknown) => {
    assert.ok(isPorticoError(err, SharedErrors.SNAPSHOT_INVALID), `expected SNAPSHOT_INVALID, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('compile: valid snapshots', () => {
  it('compiles services and routes and routes requests to them', () => {
    const config = compile(snap(service(), route()));
    assert.equal(config.version, 7);
    assert.equal(config.hash, 'h');
    const m = config.router.match(req('/api/users'));
    assert.equal(m?.route.id, RT);
    assert.equal(m?.route.service?.id, SVC);
    assert.equal(m?.matchedPath, '/api');
    assert.equal(config.router.match(req('/other')), null);
  });
  it('precomputes origin, Host header without the default port, and timeouts', () => {
    const config = compile(snap(service({ protocol: 'https', port: 443, connect_timeout: 5 }), service({ port: 8080 }, SVC2)));
    const s = config.services.get(SVC)!;
    assert.equal(s.origin, 'https://backend.internal:443');
    assert.equal(s.hostHeader, 'backend.internal');
    assert.equal(s.connectTimeout, 5);
    assert.equal(config.services.get(SVC2)!.hostHeader, 'backend.internal:8080');
  });
  it('compiles a route without a service (Kong answers 503 for it later)', () => {
    const config = compile(snap(route({ service: null })));
    assert.equal(config.routes.get(RT)!.service, null);
  });
  it("leaves a disabled service's routes out of the router", () => {
    const config = compile(snap(service({ enabled: false }), route()));
    assert.equal(config.router.match(req('/api')), null);
    assert.ok(config.routes.has(RT));
  });
  it('compiles an empty snapshot', () => {
    assert.equal(compile(snap()).router.match(req('/')), null);
  });
  it('freezes every compiled object, maps and sets included', () => {
    const config = compile(snap(service(), route()));
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.services.get(SVC)));
    const r = config.routes.get(RT)!;
    assert.ok(Object.isFrozen(r));
    assert.throws(() => (config.routes as Map<string, unknown>).set('x', r), TypeError);
    assert.throws(() => (config.services as Map<string, unknown>).delete(SVC), TypeError);
    assert.throws(() => (r.protocols as Set<string>).add('grpc'), TypeError);
  });
  it('gives routes with the same protocols, in any order, one shared set', () => {
    const RT3 = '55555555-5555-4555-8555-555555555555';
    const config = compile(snap(service(), route(), route({ protocols: ['https', 'http'], paths: ['/b'] }, RT2), route({ protocols: ['https'], paths: ['/c'] }, RT3)));
    const [a, b, c] = [RT, RT2, RT3].map((id) => config.routes.get(id)!.protocols);
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.deepEqual([a!.has('http'), a!.has('https'), c!.has('http'), c!.has('https')], [true, true, false, true]);
  });
});

describe('compile: invalid snapshots are rejected whole with SNAPSHOT_INVALID', () => {
  it('a body that is not JSON', () => {
    assertInvalid([{ type: 'services', id: SVC, body: '{nope' }], /service '1111.*not valid JSON/);
  });
  it('a body that violates the entity schema names the field', () => {
    assertInvalid([service({ port: 70000 })], /service '1111.*port/);
    assertInvalid([service(), route({ paths: [42] })], /route '3333.*paths\.0/);
    assertInvalid([service(), route({ surprise: true })], /route '3333/);
  });
  it('a route whose service is missing', () => {
    assertInvalid([route({ service: { id: SVC2 } })], /route '3333.*service.*2222.*not in the snapshot/);
  });
  it('an invalid regex path names the route and path', () => {
    assertInvalid([service(), route({ paths: ['~/(x'] })], /route '3333.*paths\[0\].*invalid regex/);
  });
  it('an invalid header regex names the route and header', () => {
    assertInvalid([service(), route({ headers: { 'x-a': ['~*(x'] } })], /route '3333.*headers\.x-a.*invalid regex/);
  });
  it('a route with nothing to match on', () => {
    assertInvalid([service(), route({ paths: null })], /route '3333.*must set one of/);
  });
  it('a body whose id differs from the resource id', () => {
    assertInvalid([{ ...service(), id: SVC2 }], /service '2222.*id/);
  });
  it('the same resource twice', () => {
    assertInvalid([service(), service()], /service '1111.*twice/);
  });
  it('an unknown resource type', () => {
    assertInvalid([{ type: 'widgets' as 'services', id: 'x', body: '{}' }], /unknown resource type/);
  });
  it('sources on an http route', () => {
    assertInvalid([service(), route({ sources: [{ ip: '10.0.0.1' }] })], /route '3333.*sources/);
  });
});

describe('compile: services of every Kong protocol', () => {
  it('compiles grpc/grpcs/ws/wss/tcp services instead of rejecting the whole snapshot', () => {
    const cfg = compile(snap(service({ protocol: 'grpcs', port: 50051 }), service({ protocol: 'tcp', port: 9000, path: null }, SVC2)));
    assert.equal(cfg.services.get(SVC)?.origin, 'https://backend.internal:50051');
    assert.equal(cfg.services.get(SVC2)?.origin, 'http://backend.internal:9000');
  });
});

describe('compile: incremental (given the previous config)', () => {
  it('reuses compiled objects whose body did not change and rebuilds the rest', () => {
    const first = compile(snap(service(), service({}, SVC2), route(), route({ paths: ['/b'], service: { id: SVC2 } }, RT2)));
    const second = compile(snap(service(), service({ port: 81 }, SVC2), route(), route({ paths: ['/b'], service: { id: SVC2 } }, RT2)), first);
    assert.equal(second.services.get(SVC), first.services.get(SVC));
    assert.equal(second.routes.get(RT), first.routes.get(RT));
    assert.notEqual(second.services.get(SVC2), first.services.get(SVC2));
    // RT2's body is unchanged but its service changed: it must point at the new one.
    assert.notEqual(second.routes.get(RT2), first.routes.get(RT2));
    assert.equal(second.routes.get(RT2)!.service?.port, 81);
    assert.equal(second.router.match(req('/b'))?.route.service?.port, 81);
  });
  it('leaves the previous config untouched when the new snapshot is invalid', () => {
    const first = compile(snap(service(), route()));
    assert.throws(() => compile(snap(service(), route({ paths: ['~/(x'] })), first));
    assert.equal(first.router.match(req('/api'))?.route.id, RT);
  });
});
