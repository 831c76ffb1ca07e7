// Bad input gets Kong's 4xx body naming the field and loses nothing: after
// every rejected write the config version and the stored rows are as before.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type ControlPlane } from '../lib/processes.js';
import { http, type Reply } from '../lib/http.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_CT = { 'content-type': 'application/json' };
const YAML = { 'content-type': 'application/x-yaml' };

describe('bad admin input is refused whole', () => {
  let cp: ControlPlane;
  let state: () => Promise<string>;

  before(async () => {
    cp = await startControlPlane();
    const ok = await http('POST', `${cp.admin}/services`, { name: 'existing', url: 'http://127.0.0.1:9/' });
    assert.equal(ok.status, 201);
    // What a rejected write must leave untouched: the version and the whole exported config.
    state = async () => {
      const status = (await http('GET', `${cp.admin}/status`)).json();
      const dump = (await http('GET', `${cp.admin}/config`)).body;
      return `${String(status.config_version)}\n${dump}`;
    };
  });

  after(async () => {
    await cp.proc.stop();
  });

  const cases: { name: string; send: (admin: string) => Promise<Reply>; status: number; check: (body: any) => void }[] = [
    {
      name: 'malformed JSON',
      send: (a) => http('POST', `${a}/services`, '{"name": "x", "host":', JSON_CT),
      status: 400,
      check: (b) => assert.match(b.message, /JSON/i),
    },
    {
      name: 'a wrongly-typed JSON field',
      send: (a) => http('POST', `${a}/services`, { name: 'typed', host: 'example.com', port: 'eighty' }),
      status: 400,
      check: (b) => {
        assert.equal(b.code, 2);
        assert.equal(b.name, 'schema violation');
        assert.equal(b.fields.port, 'expected an integer');
      },
    },
    {
      name: 'a wrongly-typed form field',
      send: (a) => http('POST', `${a}/services`, 'name=form&host=example.com&retries=many', FORM),
      status: 400,
      check: (b) => assert.equal(b.fields.retries, 'expected an integer'),
    },
    {
      name: 'an out-of-range value',
      send: (a) => http('POST', `${a}/services`, { name: 'range', host: 'example.com', port: 70000 }),
      status: 400,
      check: (b) => assert.equal(b.fields.port, 'value should be between 0 and 65535'),
    },
    {
      name: 'an unknown field',
      send: (a) => http('POST', `${a}/services`, { name: 'unknown', host: 'example.com', colour: 'blue' }),
      status: 400,
      check: (b) => assert.equal(b.fields.colour, 'unknown field'),
    },
    {
      name: 'a missing required field',
      send: (a) => http('POST', `${a}/services`, { name: 'nohost' }),
      status: 400,
      check: (b) => assert.equal(b.fields.host, 'required field missing'),
    },
    {
      name: 'a duplicate name',
      send: (a) => http('POST', `${a}/services`, { name: 'existing', host: 'example.com' }),
      status: 409,
      check: (b) => {
        assert.equal(b.code, 5);
        assert.equal(b.name, 'unique constraint violation');
        assert.equal(b.fields.name, 'existing');
      },
    },
    {
      name: 'a dangling reference',
      send: (a) => http('POST', `${a}/routes`, { name: 'dangling', paths: ['/d'], service: { name: 'no-such-service' } }),
      status: 400,
      check: (b) => assert.ok(b.fields.service, JSON.stringify(b)),
    },
    {
      name: 'a route with nothing to match on',
      send: (a) => http('POST', `${a}/services/existing/routes`, { name: 'empty' }),
      status: 400,
      check: (b) => assert.match(JSON.stringify(b.fields), /must set one of 'methods', 'hosts', 'headers', 'paths'/),
    },
    {
      name: 'a bad regex path',
      send: (a) => http('POST', `${a}/services/existing/routes`, { name: 'regex', paths: ['~/(unclosed'] }),
      status: 400,
      check: (b) => assert.ok(Array.isArray(b.fields.paths), JSON.stringify(b)),
    },
    {
      name: 'an unknown plugin',
      send: (a) => http('POST', `${a}/plugins`, { name: 'no-such-plugin' }),
      status: 400,
      check: (b) => assert.match(b.fields.name, /plugin 'no-such-plugin' not enabled/),
    },
    {
      name: 'a wrongly-typed plugin config field',
      send: (a) => http('POST', `${a}/plugins`, 'name=rate-limiting&config.minute=lots', FORM),
      status: 400,
      check: (b) => assert.equal(b.fields.config.minute, 'expected a number'),
    },
    {
      name: "a plugin config failing a cross-field check (Kong puts it on 'config')",
      send: (a) => http('POST', `${a}/plugins`, { name: 'rate-limiting', config: { minute: 5, hour: 2 } }),
      status: 400,
      check: (b) => assert.equal(b.fields.config, 'The limit for hour(2.0) cannot be lower than the limit for minute(5.0)'),
    },
    {
      name: "a plugin config missing every limit (Kong puts it on '@entity')",
      send: (a) => http('POST', `${a}/plugins`, { name: 'rate-limiting', config: {} }),
      status: 400,
      check: (b) => assert.match(b.fields['@entity'][0], /^at least one of these fields must be non-empty: 'config.second'/),
    },
    {
      name: 'an oversized body',
      send: (a) => http('POST', `${a}/services`, JSON.stringify({ name: 'big', host: 'example.com', tags: ['x'.repeat(2 * 1024 * 1024)] }), JSON_CT),
      status: 413,
      check: (b) => assert.equal(b.message, 'Request body too large'),
    },
    {
      name: 'a declarative YAML document with one bad entity among good ones',
      send: (a) =>
        http(
          'POST',
          `${a}/config`,
          ['_format_version: "3.0"', 'services:', '- name: fine', '  url: http://127.0.0.1:9/', '  routes:', '  - name: fine', '    paths: [/fine]', '- name: broken', '  host: example.com', '  port: -1'].join('\n'),
          YAML,
        ),
      status: 400,
      check: (b) => {
        assert.equal(b.code, 14);
        assert.match(b.message, /port/);
      },
    },
    {
      name: 'malformed YAML',
      send: (a) => http('POST', `${a}/config`, '_format_version: "3.0"\nservices: [name: {', YAML),
      status: 400,
      check: (b) => assert.ok(b.message),
    },
  ];

  for (const c of cases) {
    test(`${c.name} → ${c.status}, field named, nothing changed`, async () => {
      const before = await state();
      const res = await c.send(cp.admin);
      assert.equal(res.status, c.status, res.body.slice(0, 500));
      c.check(res.json());
      assert.equal(await state(), before);
    });
  }
});
