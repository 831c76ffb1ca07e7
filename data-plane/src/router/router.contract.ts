// The Router contract: Kong's traditional router semantics, case by case.
// Every Router implementation runs this (see router.test.ts); each case is
// named after the Kong rule it guards. References: kong/router/transform.lua
// (get_priority, get_expression) and the "Routing" docs, Kong 3.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { isPorticoError } from '@portico/shared';
import type { CompiledRoute, MatchInput } from '../compile/types.js';
import type { RouterFactory, RouterRoute } from './router-route.js';

/** A route for a test: Kong's fields, all optional but the id. */
export interface RouteSpec {
  id: string;
  protocols?: string[];
  created_at?: number;
  regex_priority?: number;
  methods?: string[];
  hosts?: string[];
  paths?: string[];
  headers?: Record<string, string[]>;
  snis?: string[];
}
type Spec = RouteSpec;

export function routeFor(spec: Spec): RouterRoute {
  const route: CompiledRoute = {
    id: spec.id,
    name: spec.id,
    service: null,
    protocols: new Set(spec.protocols ?? ['http', 'https']),
    stripPath: true,
    preserveHost: false,
    pathHandling: 'v0',
    httpsRedirectStatusCode: 426,
    requestBuffering: true,
    responseBuffering: true,
    plugins: null,
  };
  return {
    route,
    created_at: spec.created_at ?? 1000,
    regex_priority: spec.regex_priority ?? 0,
    methods: spec.methods ?? null,
    hosts: spec.hosts ?? null,
    paths: spec.paths ?? null,
    headers: spec.headers ?? null,
    snis: spec.snis ?? null,
  };
}

interface Req {
  method?: string;
  host?: string;
  path?: string;
  headers?: IncomingHttpHeaders;
  port?: number;
  sni?: string;
}

const input = (r: Req): MatchInput => ({
  method: r.method ?? 'GET',
  host: r.host ?? 'example.com',
  path: r.path ?? '/',
  headers: r.headers ?? {},
  ...(r.port !== undefined ? { port: r.port } : {}),
  ...(r.sni !== undefined ? { sni: r.sni } : {}),
});

export function runRouterContract(name: string, factory: RouterFactory): void {
  const build = (...specs: Spec[]) => factory(specs.map(routeFor));
  const idOf = (specs: Spec[], r: Req): string | null => factory(specs.map(routeFor)).match(input(r))?.route.id ?? null;

  describe(`Router contract: ${name}`, () => {
    describe('basics', () => {
      it('answers null when no route matches', () => {
        assert.equal(build().match(input({})), null);
        assert.equal(build({ id: 'a', paths: ['/a'] }).match(input({ path: '/b' })), null);
      });
      it('matches a prefix path and reports the prefix as matchedPath', () => {
        const m = build({ id: 'a', paths: ['/api'] }).match(input({ path: '/api/users' }));
        assert.equal(m?.route.id, 'a');
        assert.equal(m?.matchedPath, '/api');
      });
      it('a prefix path is a plain string prefix, not a segment prefix (Kong)', () => {
        assert.equal(idOf([{ id: 'a', paths: ['/api'] }], { path: '/apiary' }), 'a');
      });
      it('reports matchedPath null for a route matched without a path', () => {
        const m = build({ id: 'a', hosts: ['example.com'] }).match(input({ path: '/x' }));
        assert.equal(m?.route.id, 'a');
        assert.equal(m?.matchedPath, null);
      });
      it('requires every configured field to match (all fields, any value)', () => {
        const specs = [{ id: 'a', hosts: ['example.com', 'foo-service.com'], paths: ['/foo', '/bar'], methods: ['GET'] }];
        assert.equal(idOf(specs, { host: 'foo-service.com', path: '/bar' }), 'a');
        assert.equal(idOf(specs, { path: '/foo/hello/world' }), 'a');
        assert.equal(idOf(specs, { path: '/' }), null);
        assert.equal(idOf(specs, { method: 'POST', path: '/foo' }), null);
        assert.equal(idOf(specs, { host: 'foo.com', path: '/foo' }), null);
      });
      it('ignores routes that only serve stream protocols', () => {
        assert.equal(idOf([{ id: 'a', paths: ['/'], protocols: ['tcp'] }], { path: '/' }), null);
      });
    });

    describe('regex paths', () => {
      it('anchors a regex path at the start of the path', () => {
        const specs = [{ id: 'r', paths: ['~/users/\\d+'] }];
        assert.equal(idOf(specs, { path: '/users/42/orders' }), 'r');
        assert.equal(idOf(specs, { path: '/v1/users/42' }), null);
      });
      it('reports the text the regex matched as matchedPath', () => {
        const m = build({ id: 'r', paths: ['~/users/\\d+'] }).match(input({ path: '/users/42/orders' }));
        assert.equal(m?.matchedPath, '/users/42');
      });
      it("reports the regex's groups as uriCaptures (numbered and named), none for a regex without groups", () => {
        const m = build({ id: 'r', paths: ['~/users/(?<user>\\d+)/(\\w+)'] }).match(input({ path: '/users/42/orders/7' }));
        assert.deepEqual({ ...m?.uriCaptures }, { '1': '42', '2': 'orders', user: '42' });
        assert.equal(build({ id: 'r', paths: ['~/users/\\d+'] }).match(input({ path: '/users/42' }))?.uriCaptures, undefined);
        assert.equal(build({ id: 'p', paths: ['/users'] }).match(input({ path: '/users/42' }))?.uriCaptures, undefined);
      });
      it('anchors every alternative of a top-level alternation', () => {
        const specs = [{ id: 'r', paths: ['~/a|/b'] }];
        assert.equal(idOf(specs, { path: '/b/x' }), 'r');
        assert.equal(idOf(specs, { path: '/x/b' }), null);
      });
      it('rejects an invalid regex path with ROUTE_INVALID naming the route and field', () => {
        assert.throws(() => build({ id: 'bad', paths: ['~/(unclosed'] }), (err: unknown) => {
          assert.ok(isPorticoError(err));
          assert.equal(err.code, 'PORTICO_ERR_ROUTER_ROUTE_INVALID');
          assert.match(err.message, /bad.*paths\[0\].*invalid regex/);
          return true;
        });
      });
    });

    describe('precedence (Kong 3 priority order)', () => {
      it('priority points: a route matching more fields wins over a longer path', () => {
        const specs = [
          { id: 'path-only', paths: ['/api/users/list'] },
          { id: 'host-and-path', hosts: ['example.com'], paths: ['/api'] },
        ];
        assert.equal(idOf(specs, { path: '/api/users/list' }), 'host-and-path');
      });
      it('priority points: methods count as a field', () => {
        const specs = [
          { id: 'path', paths: ['/api'], created_at: 1 },
          { id: 'path-method', paths: ['/api'], methods: ['GET'], created_at: 2 },
        ];
        assert.equal(idOf(specs, { path: '/api' }), 'path-method');
        assert.equal(idOf(specs, { path: '/api', method: 'PUT' }), 'path');
      });
      it('plain hosts only beat a route with a wildcard host', () => {
        const specs = [
          { id: 'wild', hosts: ['*.example.com'], paths: ['/api/long'], created_at: 1 },
          { id: 'plain', hosts: ['api.example.com'], paths: ['/api'], created_at: 2 },
        ];
        assert.equal(idOf(specs, { host: 'api.example.com', path: '/api/long' }), 'plain');
      });
      it('more headers win', () => {
        const specs = [
          { id: 'one', paths: ['/api/long'], headers: { 'x-a': ['1'] }, created_at: 1 },
          { id: 'two', paths: ['/api'], headers: { 'x-a': ['1'], 'x-b': ['2'] }, created_at: 2 },
        ];
        assert.equal(idOf(specs, { path: '/api/long', headers: { 'x-a': '1', 'x-b': '2' } }), 'two');
        assert.equal(idOf(specs, { path: '/api/long', headers: { 'x-a': '1' } }), 'one');
      });
      it('regex paths are tried before prefix paths, even longer ones', () => {
        const specs = [
          { id: 'prefix', paths: ['/users/42/orders'], created_at: 1 },
          { id: 'regex', paths: ['~/users/\\d+'], created_at: 2 },
        ];
        assert.equal(idOf(specs, { path: '/users/42/orders' }), 'regex');
        assert.equal(idOf(specs, { path: '/users/x/orders' }), null);
      });
      it('regex paths are ordered by regex_priority, higher first', () => {
        const specs = [
          { id: 'low', paths: ['~/users/\\d+'], regex_priority: 1, created_at: 1 },
          { id: 'high', paths: ['~/users/.*'], regex_priority: 5, created_at: 2 },
        ];
        assert.equal(idOf(specs, { path: '/users/42' }), 'high');
      });
      it('regex_priority does not order prefix paths: the longest prefix wins', () => {
        const specs = [
          { id: 'short', paths: ['/'], regex_priority: 10 },
          { id: 'long', paths: ['/v1'], regex_priority: 0 },
        ];
        assert.equal(idOf(specs, { path: '/v1/x' }), 'long');
      });
      it('longest prefix path wins', () => {
        const specs = [
          { id: 'short', paths: ['/api'], created_at: 1 },
          { id: 'long', paths: ['/api/users'], created_at: 2 },
        ];
        assert.equal(idOf(specs, { path: '/api/users/1' }), 'long');
        assert.equal(idOf(specs, { path: '/api/orders' }), 'short');
      });
      it("each path of a route is ranked on its own (a route's short path does not borrow its long one's rank)", () => {
        const specs = [
          { id: 'multi', paths: ['/a', '/very/long/path'], created_at: 1 },
          { id: 'mid', paths: ['/a/b'], created_at: 2 },
        ];
        assert.equal(idOf(specs, { path: '/a/b/c' }), 'mid');
        assert.equal(idOf(specs, { path: '/very/long/path/x' }), 'multi');
      });
      it('equal priority: the route created first wins', () => {
        const specs = [
          { id: 'newer', paths: ['/api'], created_at: 20 },
          { id: 'older', paths: ['/api'], created_at: 10 },
        ];
        assert.equal(idOf(specs, { path: '/api' }), 'older');
      });
      it('equal priority regexes: the route created first wins', () => {
        const specs = [
          { id: 'newer', paths: ['~/a.*'], created_at: 20 },
          { id: 'older', paths: ['~/a\\w+'], created_at: 10 },
        ];
        assert.equal(idOf(specs, { path: '/abc' }), 'older');
      });
      it('a higher-priority route that does not match falls through to the next', () => {
        const specs = [
          { id: 'get-only', paths: ['/api'], methods: ['GET'], hosts: ['example.com'] },
          { id: 'fallback', paths: ['/'] },
        ];
        assert.equal(idOf(specs, { path: '/api', method: 'POST' }), 'fallback');
      });
    });

    describe('hosts', () => {
      it('matches an exact host', () => {
        assert.equal(idOf([{ id: 'a', hosts: ['example.com'] }], { host: 'example.com' }), 'a');
        assert.equal(idOf([{ id: 'a', hosts: ['example.com'] }], { host: 'www.example.com' }), null);
      });
      it('compares route hosts case-insensitively', () => {
        assert.equal(idOf([{ id: 'a', hosts: ['Example.COM'] }], { host: 'example.com' }), 'a');
      });
      it('a leading wildcard matches one or more labels, not the bare domain', () => {
        const specs = [{ id: 'w', hosts: ['*.example.com'] }];
        assert.equal(idOf(specs, { host: 'a.example.com' }), 'w');
        assert.equal(idOf(specs, { host: 'a.b.example.com' }), 'w');
        assert.equal(idOf(specs, { host: 'example.com' }), null);
        assert.equal(idOf(specs, { host: 'badexample.com' }), null);
      });
      it('a trailing wildcard matches any last labels', () => {
        const specs = [{ id: 'w', hosts: ['example.*'] }];
        assert.equal(idOf(specs, { host: 'example.org' }), 'w');
        assert.equal(idOf(specs, { host: 'example.co.uk' }), 'w');
        assert.equal(idOf(specs, { host: 'www.example.org' }), null);
      });
      it('a host with a port matches only requests on that port', () => {
        const specs = [{ id: 'p', hosts: ['example.com:8080'] }];
        assert.equal(idOf(specs, { port: 8080 }), 'p');
        assert.equal(idOf(specs, { port: 8000 }), null);
        assert.equal(idOf(specs, {}), null);
      });
      it('a wildcard host with a port matches only that port', () => {
        const specs = [{ id: 'p', hosts: ['*.example.com:8443'] }];
        assert.equal(idOf(specs, { host: 'a.example.com', port: 8443 }), 'p');
        assert.equal(idOf(specs, { host: 'a.example.com', port: 8000 }), null);
      });
      it('rejects a wildcard in the middle of a host', () => {
        assert.throws(() => build({ id: 'bad', hosts: ['a.*.com'] }), /bad.*hosts\[0\].*wildcard/);
      });
    });

    describe('methods', () => {
      it('matches only the listed methods', () => {
        const specs = [{ id: 'm', methods: ['GET', 'HEAD'] }];
        assert.equal(idOf(specs, { method: 'HEAD' }), 'm');
        assert.equal(idOf(specs, { method: 'DELETE' }), null);
      });
    });

    describe('headers', () => {
      it('matches header values case-insensitively, any configured value', () => {
        const specs = [{ id: 'h', headers: { 'x-version': ['V1', 'v2'] } }];
        assert.equal(idOf(specs, { headers: { 'x-version': 'v1' } }), 'h');
        assert.equal(idOf(specs, { headers: { 'x-version': 'V2' } }), 'h');
        assert.equal(idOf(specs, { headers: { 'x-version': 'v3' } }), null);
      });
      it('compares header names case-insensitively', () => {
        assert.equal(idOf([{ id: 'h', headers: { 'X-Version': ['v1'] } }], { headers: { 'x-version': 'v1' } }), 'h');
      });
      it('requires every configured header', () => {
        const specs = [{ id: 'h', headers: { 'x-a': ['1'], 'x-b': ['2'] } }];
        assert.equal(idOf(specs, { headers: { 'x-a': '1' } }), null);
        assert.equal(idOf(specs, { headers: { 'x-a': '1', 'x-b': '2' } }), 'h');
      });
      it('a ~* value is a case-insensitive, unanchored regex', () => {
        const specs = [{ id: 'h', headers: { 'user-agent': ['~*mobile'] } }];
        assert.equal(idOf(specs, { headers: { 'user-agent': 'Foo MOBILE Safari' } }), 'h');
        assert.equal(idOf(specs, { headers: { 'user-agent': 'Desktop' } }), null);
      });
      it('a repeated header matches when any of its values does', () => {
        const specs = [{ id: 'h', headers: { 'x-tag': ['blue'] } }];
        assert.equal(idOf(specs, { headers: { 'x-tag': 'red, blue' } }), 'h');
        assert.equal(idOf(specs, { headers: { 'x-tag': ['red', 'blue'] as unknown as string } }), 'h');
      });
      it("rejects a 'host' header rule (Kong: use hosts)", () => {
        assert.throws(() => build({ id: 'bad', headers: { Host: ['x'] } }), /bad.*host/);
      });
    });

    describe('snis', () => {
      it('snis do not constrain plain-HTTP requests, and do constrain TLS ones', () => {
        const specs = [{ id: 's', snis: ['example.com'], paths: ['/'] }];
        assert.equal(idOf(specs, {}), 's');
        assert.equal(idOf(specs, { sni: 'example.com' }), 's');
        assert.equal(idOf(specs, { sni: 'other.com' }), null);
      });
    });

    describe('path normalisation (kong/tools/uri.lua)', () => {
      it('decodes percent-encoded unreserved characters before matching', () => {
        assert.equal(idOf([{ id: 'a', paths: ['/api/users'] }], { path: '/api/%75sers' }), 'a');
      });
      it('keeps reserved characters encoded', () => {
        assert.equal(idOf([{ id: 'a', paths: ['/a/b'] }], { path: '/a%2Fb' }), null);
      });
      it('removes dot segments and merges slashes', () => {
        const specs = [{ id: 'a', paths: ['/api/users'] }];
        assert.equal(idOf(specs, { path: '/other/../api//users' }), 'a');
        assert.equal(idOf(specs, { path: '/api/./users' }), 'a');
      });
      it('matches regex paths against the normalised path', () => {
        assert.equal(idOf([{ id: 'r', paths: ['~/api/\\d+$'] }], { path: '/api/%31%32' }), 'r');
      });
    });

    describe('route validation', () => {
      it('rejects a route without any matching field', () => {
        assert.throws(() => build({ id: 'empty' }), /empty.*must set one of/);
      });
      it('rejects a path that starts with neither / nor ~/', () => {
        assert.throws(() => build({ id: 'bad', paths: ['api'] }), /bad.*paths\[0\]/);
        assert.throws(() => build({ id: 'bad', paths: ['~api'] }), /bad.*paths\[0\]/);
      });
    });
  });
}
