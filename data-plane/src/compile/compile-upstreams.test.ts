// Upstreams through the real compile: every Kong algorithm, state kept across
// swaps, DNS targets dialled by IP with the name as Host.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { Resource } from '@portico/shared';
import type { BalancedPeer } from '../proxy/peer.js';
import { peerOrigins, pickPeer, releasePeer } from '../proxy/peer.js';
import { defaultDnsRegistry } from '../dns/dns-registry.js';
import { compile } from './compile.js';
import { route, service, target, upstream, uuid } from './test-fixtures.js';

const snap = (resources: Resource[], version = 1) => ({ version, hash: `h${version}`, resources });
const input = () => ({ req: { url: '/', headers: {} } as IncomingMessage, clientIp: '10.1.1.1', consumerId: null, setCookie: null });

describe('compile: upstreams', () => {
  const U = uuid();
  const S = uuid();
  const T1 = uuid();
  const T2 = uuid();
  const base = (algorithm: string, w2 = 100): Resource[] => [
    upstream(U, 'backend', { algorithm }),
    target(T1, U, '127.0.0.1:9001'),
    target(T2, U, '127.0.0.2:9002', w2),
    service(S, { host: 'backend', port: 80 }),
    route(uuid(), S, { paths: ['/'] }),
  ];

  for (const algorithm of ['round-robin', 'least-connections', 'consistent-hashing', 'latency']) {
    it(`serves algorithm '${algorithm}'`, () => {
      const config = compile(snap(base(algorithm)));
      const up = config.upstreams.get(U)!;
      assert.equal(up.algorithm, algorithm);
      const peer = pickPeer(config.services.get(S)!, input());
      assert.match(peer!.origin, /^http:\/\/127\.0\.0\.[12]:900[12]$/);
    });
  }

  it('a changed upstream gets a new balancer that shares the in-flight counts of unchanged addresses', () => {
    const first = compile(snap(base('least-connections')));
    const svc = first.services.get(S)!;
    const peer = pickPeer(svc, input()) as BalancedPeer;
    assert.equal(peer.address.state.inflight, 1);
    const second = compile(snap(base('least-connections', 300), 2), first);
    const up = second.upstreams.get(U)!;
    assert.notEqual(up.balancer, first.upstreams.get(U)!.balancer);
    const same = up.addressTable.addresses().find((a) => a.address === peer.address.address)!;
    assert.equal(same.state.inflight, 1);
    releasePeer(svc, peer, false, 3);
    assert.equal(same.state.inflight, 0);
  });

  it('a name target is dialled by its resolved IP and keeps the name as Host', async () => {
    const resources: Resource[] = [
      upstream(U, 'named'),
      target(T1, U, 'localhost:9005'),
      service(S, { host: 'named', port: 80 }),
      route(uuid(), S, { paths: ['/'] }),
    ];
    const config = compile(snap(resources));
    await defaultDnsRegistry.refresh('localhost');
    const svc = config.services.get(S)!;
    const peer = pickPeer(svc, input())!;
    assert.match(peer.origin, /^http:\/\/(127\.0\.0\.1|\[::1\]):9005$/);
    assert.equal(peer.hostHeader, 'localhost:9005');
    assert.equal(pickPeer(svc, input()), peer, 'the peer of an address is built once');
    assert.ok(peerOrigins(svc).includes(peer.origin));
    const [r] = config.upstreams.get(U)!.addressTable.resolution();
    assert.equal(r!.dns, 'resolved');
  });
});
