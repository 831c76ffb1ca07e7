// Kong's own path-handling table (spec/fixtures/router_path_handling_tests.lua
// in Kong/kong), every row expanded over its strip_path / path_handling
// alternatives. A route path of null means the route matched on host only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strippedPrefix, upstreamPath } from './upstream-path.js';

type Strip = boolean | readonly boolean[];
type Handling = 'v0' | 'v1' | readonly ('v0' | 'v1')[];
type Row = readonly [service: string, route: string | null, strip: Strip, handling: Handling, request: string, expected: string];

const B = [false, true] as const;
const V = ['v0', 'v1'] as const;

const ROWS: readonly Row[] = [
  ['/', '/', B, V, '/', '/'],
  ['/', '/', B, V, '/route', '/route'],
  ['/', '/', B, V, '/route/', '/route/'],
  ['/', '/', B, V, '/routereq', '/routereq'],
  ['/', '/', B, V, '/route/req', '/route/req'],
  ['/', '/route', false, V, '/route', '/route'],
  ['/', '/route', false, V, '/route/', '/route/'],
  ['/', '/route', false, V, '/routereq', '/routereq'],
  ['/', '/route', true, V, '/route', '/'],
  ['/', '/route', true, V, '/route/', '/'],
  ['/', '/route', true, V, '/routereq', '/req'],
  ['/', '/route/', false, V, '/route/', '/route/'],
  ['/', '/route/', false, V, '/route/req', '/route/req'],
  ['/', '/route/', true, V, '/route/', '/'],
  ['/', '/route/', true, V, '/route/req', '/req'],
  ['/srv', '/rou', false, 'v0', '/roureq', '/srv/roureq'],
  ['/srv', '/rou', false, 'v1', '/roureq', '/srvroureq'],
  ['/srv', '/rou', true, 'v0', '/roureq', '/srv/req'],
  ['/srv', '/rou', true, 'v1', '/roureq', '/srvreq'],
  ['/srv/', '/rou', false, V, '/rou', '/srv/rou'],
  ['/srv/', '/rou', true, 'v0', '/rou', '/srv'],
  ['/srv/', '/rou', true, 'v1', '/rou', '/srv/'],
  ['/service', '/', B, V, '/', '/service'],
  ['/service', '/', B, 'v0', '/route', '/service/route'],
  ['/service', '/', B, 'v1', '/route', '/serviceroute'],
  ['/service', '/', B, 'v0', '/route/', '/service/route/'],
  ['/service', '/', B, 'v1', '/route/', '/serviceroute/'],
  ['/service', '/', B, 'v0', '/routereq', '/service/routereq'],
  ['/service', '/', B, 'v1', '/routereq', '/serviceroutereq'],
  ['/service', '/', B, 'v0', '/route/req', '/service/route/req'],
  ['/service', '/', B, 'v1', '/route/req', '/serviceroute/req'],
  ['/service', '/route', false, 'v0', '/route', '/service/route'],
  ['/service', '/route', false, 'v1', '/route', '/serviceroute'],
  ['/service', '/route', false, 'v0', '/route/', '/service/route/'],
  ['/service', '/route', false, 'v1', '/route/', '/serviceroute/'],
  ['/service', '/route', false, 'v0', '/routereq', '/service/routereq'],
  ['/service', '/route', false, 'v1', '/routereq', '/serviceroutereq'],
  ['/service', '/route', true, V, '/route', '/service'],
  ['/service', '/route', true, V, '/route/', '/service/'],
  ['/service', '/route', true, 'v0', '/routereq', '/service/req'],
  ['/service', '/route', true, 'v1', '/routereq', '/servicereq'],
  ['/service', '/route/', false, 'v0', '/route/', '/service/route/'],
  ['/service', '/route/', false, 'v1', '/route/', '/serviceroute/'],
  ['/service', '/route/', false, 'v0', '/route/req', '/service/route/req'],
  ['/service', '/route/', false, 'v1', '/route/req', '/serviceroute/req'],
  ['/service', '/route/', true, 'v0', '/route/', '/service/'],
  ['/service', '/route/', true, 'v1', '/route/', '/service'],
  ['/service', '/route/', true, 'v0', '/route/req', '/service/req'],
  ['/service', '/route/', true, 'v1', '/route/req', '/servicereq'],
  ['/service/', '/', B, 'v0', '/route/', '/service/route/'],
  ['/service/', '/', B, 'v1', '/route/', '/service/route/'],
  ['/service/', '/', B, V, '/', '/service/'],
  ['/service/', '/', B, V, '/route', '/service/route'],
  ['/service/', '/', B, V, '/routereq', '/service/routereq'],
  ['/service/', '/', B, V, '/route/req', '/service/route/req'],
  ['/service/', '/route', false, V, '/route', '/service/route'],
  ['/service/', '/route', false, V, '/route/', '/service/route/'],
  ['/service/', '/route', false, V, '/routereq', '/service/routereq'],
  ['/service/', '/route', true, 'v0', '/route', '/service'],
  ['/service/', '/route', true, 'v1', '/route', '/service/'],
  ['/service/', '/route', true, V, '/route/', '/service/'],
  ['/service/', '/route', true, V, '/routereq', '/service/req'],
  ['/service/', '/route/', false, V, '/route/', '/service/route/'],
  ['/service/', '/route/', false, V, '/route/req', '/service/route/req'],
  ['/service/', '/route/', true, V, '/route/', '/service/'],
  ['/service/', '/route/', true, V, '/route/req', '/service/req'],
  // matched on host, not path
  ['/', null, B, V, '/', '/'],
  ['/', null, B, V, '/route', '/route'],
  ['/', null, B, V, '/route/', '/route/'],
  ['/service', null, B, V, '/', '/service'],
  ['/service', null, B, 'v0', '/route', '/service/route'],
  ['/service', null, B, 'v1', '/route', '/serviceroute'],
  ['/service', null, B, 'v0', '/route/', '/service/route/'],
  ['/service', null, B, 'v1', '/route/', '/serviceroute/'],
  ['/service/', null, B, V, '/', '/service/'],
  ['/service/', null, B, V, '/route', '/service/route'],
  ['/service/', null, B, V, '/route/', '/service/route/'],
];

const list = <T>(v: T | readonly T[]): readonly T[] => (Array.isArray(v) ? (v as readonly T[]) : [v as T]);

test('upstream path follows every row of Kong\'s path_handling table (v0 and v1, strip on/off, trailing slashes)', () => {
  let checked = 0;
  for (const [service, route, strip, handling, request, expected] of ROWS) {
    for (const stripPath of list(strip)) {
      for (const pathHandling of list(handling)) {
        const got = upstreamPath({ servicePath: service, stripPath, pathHandling, requestPath: request, matchedPath: route });
        assert.equal(got, expected, `service=${service} route=${route} strip=${stripPath} ${pathHandling} request=${request}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 150, `expanded ${checked} cases`);
});

test('a service without a path behaves as service path "/"', () => {
  assert.equal(upstreamPath({ servicePath: null, stripPath: true, pathHandling: 'v0', requestPath: '/api/users', matchedPath: '/api' }), '/users');
  assert.equal(upstreamPath({ servicePath: null, stripPath: false, pathHandling: 'v0', requestPath: '/api/users', matchedPath: '/api' }), '/api/users');
});

test('a stripped remainder cannot climb out of the service path with ./ or ../ (Kong sanitize_uri_postfix)', () => {
  assert.equal(upstreamPath({ servicePath: '/s', stripPath: true, pathHandling: 'v0', requestPath: '/r../etc', matchedPath: '/r' }), '/s/etc');
  assert.equal(upstreamPath({ servicePath: '/s', stripPath: true, pathHandling: 'v0', requestPath: '/r..', matchedPath: '/r' }), '/s');
  assert.equal(upstreamPath({ servicePath: '/s/', stripPath: true, pathHandling: 'v0', requestPath: '/r./x', matchedPath: '/r' }), '/s/x');
});

test('X-Forwarded-Prefix source: only what strip_path removed', () => {
  assert.equal(strippedPrefix(true, '/api/x', '/api'), '/api');
  assert.equal(strippedPrefix(false, '/api/x', '/api'), null);
  assert.equal(strippedPrefix(true, '/api/x', null), null);
});
