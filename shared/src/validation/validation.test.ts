import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeValidator, serviceValidator } from './entities.js';
import { schemaViolationMessage } from './kong-format.js';

const auto = { auto: { now: 1700000000 } };

test('a service from a url gets Kong defaults, port from the scheme and a null path', () => {
  const r = serviceValidator.validate({ name: 'example_service', url: 'http://httpbin.konghq.com' }, auto);
  assert.ok(r.ok);
  const s = r.entity;
  assert.equal(s.protocol, 'http');
  assert.equal(s.host, 'httpbin.konghq.com');
  assert.equal(s.port, 80);
  assert.equal(s.path, null);
  assert.equal(s.retries, 5);
  assert.equal(s.connect_timeout, 60000);
  assert.equal(s.enabled, true);
  assert.equal(s.tags, null);
  assert.equal(s.created_at, 1700000000);
  assert.match(s.id, /^[0-9a-f-]{36}$/);
  const https = serviceValidator.validate({ url: 'https://example.com/api/v1' }, auto);
  assert.ok(https.ok);
  assert.deepEqual([https.entity.protocol, https.entity.port, https.entity.path], ['https', 443, '/api/v1']);
  const guessed = serviceValidator.validate({ url: '//example.com:443' }, auto);
  assert.ok(guessed.ok && guessed.entity.protocol === 'https');
});

test('field errors use Kong messages: range, type, enum, unknown, required', () => {
  const r = serviceValidator.validate({ host: 'a.com', port: 70000, retries: 'x', protocol: 'ftp', foo: 1, enabled: 'yes' }, auto);
  assert.ok(!r.ok);
  assert.deepEqual(r.fields, {
    port: 'value should be between 0 and 65535',
    retries: 'expected an integer',
    protocol: 'expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp, ws, wss',
    foo: 'unknown field',
    enabled: 'expected a boolean',
  });
  const missing = serviceValidator.validate({}, auto);
  assert.ok(!missing.ok);
  assert.equal(missing.fields['host'], 'required field missing');
});

test('host, name and path typedef checks', () => {
  const r = serviceValidator.validate({ host: 'a.com:80', name: 'bad name', path: 'nope' }, auto);
  assert.ok(!r.ok);
  assert.equal(r.fields['host'], 'must not have a port');
  assert.equal(r.fields['name'], "invalid value 'bad name': the only accepted ascii characters are alphanumerics or ., -, _, and ~");
  assert.equal(r.fields['path'], 'should start with: /');
});

test('service protocol conditionals: a tcp service cannot have a path', () => {
  const r = serviceValidator.validate({ host: 'a', protocol: 'tcp', path: '/x' }, auto);
  assert.ok(!r.ok);
  assert.deepEqual(r.fields, { path: 'value must be null', '@entity': ["failed conditional validation given value of field 'protocol'"] });
});

test('route element errors are arrays with null for valid elements, and message indexes are 1-based', () => {
  const r = routeValidator.validate({ paths: ['/ok', 'bad'] }, auto);
  assert.ok(!r.ok);
  assert.deepEqual(r.fields, { paths: [null, 'should start with: / (fixed path) or ~/ (regex path)'] });
  assert.equal(schemaViolationMessage(r.fields), 'schema violation (paths.2: should start with: / (fixed path) or ~/ (regex path))');
});

test('regex paths must compile as JS regular expressions; empty segments are refused', () => {
  const r = routeValidator.validate({ paths: ['~/users/(foo', '/a//b'] }, auto);
  assert.ok(!r.ok);
  const [re, empty] = r.fields['paths'] as string[];
  assert.match(re!, /^invalid regex: '\/users\/\(foo' \(/);
  assert.equal(empty, 'must not have empty segments');
  assert.ok(routeValidator.validate({ paths: ['~/users/\\d+$'] }, auto).ok);
});

test('a route needs one of methods/hosts/headers/paths/snis, with Kong message', () => {
  const r = routeValidator.validate({}, auto);
  assert.ok(!r.ok);
  assert.deepEqual(r.fields, { '@entity': ["must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"] });
  const http = routeValidator.validate({ protocols: ['http'] }, auto);
  assert.ok(!http.ok);
  assert.deepEqual(http.fields['@entity'], ["must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"]);
});

test('route headers cannot contain host; header names are kept as given (Kong returns them so)', () => {
  const bad = routeValidator.validate({ headers: { Host: ['a'] } }, auto);
  assert.ok(!bad.ok);
  assert.deepEqual(bad.fields, { headers: { Host: "cannot contain 'host' header, which must be specified in the 'hosts' attribute" } });
  const ok = routeValidator.validate({ headers: { 'X-Foo': ['a'] } }, auto);
  assert.ok(ok.ok);
  assert.deepEqual(ok.entity.headers, { 'X-Foo': ['a'] });
});

test('route defaults and sets: protocols default, duplicate methods collapse, wildcard hosts checked', () => {
  const r = routeValidator.validate({ methods: ['GET', 'GET'], hosts: ['*.example.com'] }, auto);
  assert.ok(r.ok);
  assert.deepEqual(r.entity.protocols, ['http', 'https']);
  assert.deepEqual(r.entity.methods, ['GET']);
  assert.equal(r.entity.strip_path, true);
  assert.equal(r.entity.https_redirect_status_code, 426);
  const bad = routeValidator.validate({ hosts: ['a.*.com', '*.*.com'], methods: ['get'] }, auto);
  assert.ok(!bad.ok);
  assert.deepEqual(bad.fields['hosts'], ['invalid wildcard: must be placed at leftmost or rightmost label', 'invalid wildcard: must have at most one wildcard']);
  assert.deepEqual(bad.fields['methods'], ['invalid value: get']);
});

test('form coercion follows the schema: integers, booleans, arrays from one value, empty means null', () => {
  const body = serviceValidator.coerce({ port: '8080', enabled: 'false', tags: 'a', path: '' });
  assert.deepEqual(body, { port: 8080, enabled: false, tags: ['a'], path: null });
  const route = routeValidator.coerce({ paths: '/mock', https_redirect_status_code: '301', strip_path: 'true' });
  assert.deepEqual(route, { paths: ['/mock'], https_redirect_status_code: 301, strip_path: true });
});

test('schema violation message joins many fields like Kong', () => {
  assert.equal(
    schemaViolationMessage({ port: 'value should be between 0 and 65535', '@entity': ['x'], name: 'bad' }),
    '3 schema violations (x; name: bad; port: value should be between 0 and 65535)',
  );
  assert.equal(schemaViolationMessage({ service: { id: 'expected a valid UUID' } }), 'schema violation (service.id: expected a valid UUID)');
});
