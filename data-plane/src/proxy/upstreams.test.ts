// Balancing a service over its upstream's targets through the real proxy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { route, service, startCompiledProxy, target, upstream, uuid, type CompiledProxy } from '../compile/test-fixtures.js';
import { json, send, startUpstream, type Upstream } from './test-support.js';

describe('upstream balancing', () => {
  let a: Upstream;
  let b: Upstream;
  let px: CompiledProxy;
  const UP = uuid();
  const SVC = uuid();
  const TA = uuid();
  const TB = uuid();
  const resources = (weightB = 100, over: Record<string, unknown> = {}) => [
    upstream(UP, 'backend.upstream', over),
    target(TA, UP, `127.0.0.1:${a.port}`, 300),
    target(TB, UP, `127.0.0.1:${b.port}`, weightB),
    service(SVC, { host: 'backend.upstream', port: 80 }),
    route(uuid(), SVC, { paths: ['/'] }),
  ];

  before(async () => {
    a = await startUpstream((req, res) => res.end(JSON.stringify({ who: 'a', host: req.headers.host })));
    b = await startUpstream((req, res) => res.end(JSON.stringify({ who: 'b', host: req.headers.host })));
    px = await startCompiledProxy(resources());
  });
  after(async () => {
    await px.close();
    await a.close();
    await b.close();
  });

  const who = async (): Promise<string> => json<{ who: string }>(await send(px.port, { path: '/' }))['who'];

  it('splits 3:1 by weight, interleaved, and sends the target host as Host', async () => {
    const seq: string[] = [];
    for (let i = 0; i < 8; i++) seq.push(await who());
    assert.equal(seq.filter((w) => w === 'a').length, 6);
    assert.ok(!seq.join('').includes('bb'), seq.join(''));
    const r = json<{ host: string }>(await send(px.port, { path: '/' }));
    assert.match(r['host'], /^127\.0\.0\.1:\d+$/);
  });

  it('keeps its position across a swap that leaves the upstream unchanged', async () => {
    const balancer = px.cell.current!.upstreams.get(UP)!.balancer;
    px.apply([...resources(), route(uuid(), SVC, { paths: ['/other'] })]);
    assert.equal(px.cell.current!.upstreams.get(UP)!.balancer, balancer);
  });

  it('host_header of the upstream is sent instead, with the target port', async () => {
    px.apply(resources(100, { host_header: 'api.example' }));
    const r = json<{ host: string }>(await send(px.port, { path: '/' }));
    assert.match(r['host'], /^api\.example:\d+$/);
  });

  it('weight 0 takes no traffic; no usable target answers 503 from the ring-balancer', async () => {
    px.apply(resources(0));
    for (let i = 0; i < 5; i++) assert.equal(await who(), 'a');
    px.apply([upstream(UP, 'backend.upstream'), service(SVC, { host: 'backend.upstream' }), route(uuid(), SVC, { paths: ['/'] })]);
    const r = await send(px.port, { path: '/' });
    assert.equal(r.status, 503);
    assert.equal(json(r)['message'], 'failure to get a peer from the ring-balancer');
  });
});
