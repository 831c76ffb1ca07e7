import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './test-support.js';
import { EC_CERT, EC_KEY, RSA_A_CERT, RSA_A_KEY, RSA_B_KEY } from './test-certs.js';

test('certificates: PEMs must parse and match; snis shorthand writes snis rows in the same version', async () => {
  const h = await harness();
  try {
    let res = await h.json('POST', '/certificates', { cert: RSA_A_CERT, key: RSA_B_KEY });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().fields, { '@entity': ['certificate does not match key'] });
    res = await h.json('POST', '/certificates', { cert: 'nope', key: RSA_A_KEY });
    assert.match(res.json().fields.cert, /^invalid certificate: /);
    res = await h.json('POST', '/certificates', { cert: RSA_A_CERT, key: RSA_A_KEY, cert_alt: EC_CERT });
    assert.deepEqual(res.json().fields, { '@entity': ["all or none of these fields must be set: 'cert_alt', 'key_alt'"] });
    assert.equal(h.store.count('certificates'), 0);
    assert.equal(h.store.version(), 0, 'rejected writes bump nothing');

    const version = h.store.version();
    res = await h.json('POST', '/certificates', { cert: RSA_A_CERT, key: RSA_A_KEY, cert_alt: EC_CERT, key_alt: EC_KEY, snis: ['a.example.com', '*.b.example.com'], tags: ['t1'] });
    assert.equal(res.statusCode, 201);
    const cert = res.json();
    assert.deepEqual(cert.snis, ['*.b.example.com', 'a.example.com']);
    assert.equal(cert.key, RSA_A_KEY, 'Kong returns the key');
    assert.equal(h.store.count('snis'), 2);
    assert.equal(h.store.version(), version + 1, 'certificate and snis in one write');
    assert.equal((await h.json('GET', '/snis/a.example.com')).json().certificate.id, cert.id);
    assert.equal((await h.json('GET', '/certificates/a.example.com')).json().id, cert.id, 'certificates are found by SNI name');
    assert.deepEqual((await h.json('GET', '/certificates')).json().data[0].snis, ['*.b.example.com', 'a.example.com']);

    // Another certificate cannot claim a taken SNI; the whole write is undone.
    res = await h.json('POST', '/certificates', { cert: RSA_A_CERT, key: RSA_A_KEY, snis: ['c.example.com', 'a.example.com'] });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().fields, { snis: [null, `a.example.com already associated with existing certificate '${cert.id}'`] });
    assert.equal(h.store.count('certificates'), 1);
    assert.equal(h.store.count('snis'), 2);

    // PATCH with snis replaces the list; without, keeps it.
    res = await h.json('PATCH', `/certificates/${cert.id}`, { snis: ['a.example.com', 'd.example.com'] });
    assert.deepEqual(res.json().snis, ['a.example.com', 'd.example.com']);
    res = await h.json('PATCH', `/certificates/${cert.id}`, { tags: ['t2'] });
    assert.deepEqual(res.json().snis, ['a.example.com', 'd.example.com']);

    res = await h.json('POST', '/certificates', { cert: RSA_A_CERT, key: RSA_A_KEY, cert_alt: RSA_A_CERT, key_alt: RSA_A_KEY });
    assert.deepEqual(res.json().fields['@entity'], [
      'certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type',
    ]);
  } finally {
    await h.close();
  }
});

test('snis: wildcard rules, unique name, nested under the certificate, cascade with it', async () => {
  const h = await harness();
  try {
    const cert = (await h.json('POST', '/certificates', { cert: RSA_A_CERT, key: RSA_A_KEY })).json();
    let res = await h.form('POST', `/certificates/${cert.id}/snis`, 'name=example.com');
    assert.equal(res.statusCode, 201);
    assert.deepEqual(res.json().certificate, { id: cert.id });
    res = await h.json('POST', '/snis', { name: 'example.com', certificate: { id: cert.id } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().message, `UNIQUE violation detected on '{name="example.com"}'`);
    res = await h.json('POST', '/snis', { name: 'a.*.com', certificate: { id: cert.id } });
    assert.deepEqual(res.json().fields, { name: 'invalid wildcard: must be placed at leftmost or rightmost label' });
    res = await h.json('POST', '/snis', { name: '10.0.0.1', certificate: { id: cert.id } });
    assert.deepEqual(res.json().fields, { name: 'must not be an IP' });
    res = await h.json('POST', '/snis', { name: 'x.com' });
    assert.deepEqual(res.json().fields, { certificate: 'required field missing' });
    assert.equal((await h.json('POST', '/snis', { name: 'example.*', certificate: { id: cert.id } })).statusCode, 201);
    assert.equal((await h.json('GET', `/certificates/${cert.id}/snis`)).json().data.length, 2);
    assert.equal((await h.json('GET', '/snis/example.com/certificate')).json().id, cert.id);
    assert.equal((await h.json('DELETE', `/certificates/${cert.id}`)).statusCode, 204);
    assert.equal(h.store.count('snis'), 0);
  } finally {
    await h.close();
  }
});

test('tags: /tags lists every tagged entity in Kong shape, /tags/{tag} filters, ?tags= works on any collection', async () => {
  const h = await harness();
  try {
    const s = (await h.json('POST', '/services', { name: 's', host: 'a.com', tags: ['prod', 'team-a'] })).json();
    const u = (await h.json('POST', '/upstreams', { name: 'u', tags: ['prod'] })).json();
    await h.json('POST', '/consumers', { username: 'c', tags: ['team-a'] });
    await h.json('POST', '/consumers', { username: 'd' });
    const all = (await h.json('GET', '/tags')).json();
    assert.equal(all.data.length, 4);
    assert.equal(all.next, null);
    const prod = (await h.json('GET', '/tags/prod')).json();
    assert.deepEqual(
      prod.data.sort((a: { entity_name: string }, b: { entity_name: string }) => a.entity_name.localeCompare(b.entity_name)),
      [
        { entity_name: 'services', entity_id: s.id, tag: 'prod' },
        { entity_name: 'upstreams', entity_id: u.id, tag: 'prod' },
      ],
    );
    const first = (await h.json('GET', '/tags?size=3')).json();
    assert.equal(first.data.length, 3);
    assert.match(first.next, /^\/tags\?offset=.+&size=3$/);
    const second = (await h.json('GET', `/tags?size=3&offset=${encodeURIComponent(first.offset)}`)).json();
    assert.equal(second.data.length, 1);
    assert.deepEqual((await h.json('GET', '/consumers?tags=team-a')).json().data.map((c: { username: string }) => c.username), ['c']);
    assert.deepEqual((await h.json('GET', '/upstreams?tags=prod')).json().data.length, 1);
    const bad = await h.json('GET', '/consumers?size=0');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().name, 'invalid size');
    const badOffset = await h.json('GET', '/upstreams?offset=%%%');
    assert.equal(badOffset.statusCode, 400);
    assert.equal((await h.json('PATCH', '/tags')).statusCode, 405);
  } finally {
    await h.close();
  }
});
