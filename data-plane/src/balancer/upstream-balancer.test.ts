import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnsRegistry } from '../dns/dns-registry.js';
import type { Resolution } from '../dns/resolve.js';
import { createLeastConnections } from './least-connections.js';
import { createRoundRobin } from './round-robin.js';
import { request, target } from './test-addresses.js';
import { UpstreamBalancer } from './upstream-balancer.js';

const input = request();
const named = (index: number, host: string, weight = 100) => ({ ...target(index, weight, host, 8080), isName: true });

function dnsWith(answers: Map<string, Resolution | Error>): DnsRegistry {
  return new DnsRegistry({
    resolve: async (host) => {
      const a = answers.get(host) ?? Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
      if (a instanceof Error) throw a;
      return a;
    },
    schedule: () => {},
  });
}

describe('upstream balancer: targets → addresses', () => {
  it('an IP target is one address; a name is one address per IP, each with the full target weight (Kong)', async () => {
    const answers = new Map<string, Resolution | Error>([['api.internal', { addresses: ['10.0.0.1', '10.0.0.2'], ttlMs: 1000 }]]);
    const dns = dnsWith(answers);
    const b = new UpstreamBalancer({ upstream: 'u', factory: createRoundRobin, targets: [target(0, 50), named(1, 'api.internal', 100)], dns });
    await dns.refresh('api.internal');
    assert.deepEqual(
      b.addresses().map((a) => [a.address, a.weight]),
      [['127.0.0.1:9000', 50], ['10.0.0.1:8080', 100], ['10.0.0.2:8080', 100]],
    );
    assert.deepEqual(b.resolution().map((r) => [r.dns, r.addresses.length]), [[null, 1], ['resolved', 2]]);
  });

  it('a request never waits for DNS: a name not answered yet is one address that dials the name', () => {
    const dns = new DnsRegistry({ resolve: () => new Promise(() => {}), schedule: () => {} });
    const b = new UpstreamBalancer({ upstream: 'u', factory: createRoundRobin, targets: [named(0, 'slow.internal')], dns });
    const p = b.pick(input);
    assert.equal(p?.address, 'slow.internal:8080');
    assert.equal(p?.ip, 'slow.internal');
  });

  it('DNS changes rebuild the addresses off the request path; a surviving IP keeps its state', async () => {
    const answers = new Map<string, Resolution | Error>([['api.internal', { addresses: ['10.0.0.1'], ttlMs: 1000 }]]);
    const dns = dnsWith(answers);
    const b = new UpstreamBalancer({ upstream: 'u', factory: createLeastConnections, targets: [named(0, 'api.internal')], dns });
    await dns.refresh('api.internal');
    const held = b.pick(input)!;
    assert.equal(held.address, '10.0.0.1:8080');
    answers.set('api.internal', { addresses: ['10.0.0.1', '10.0.0.3'], ttlMs: 1000 });
    await dns.refresh('api.internal');
    const now = b.addresses();
    assert.deepEqual(now.map((a) => a.address), ['10.0.0.1:8080', '10.0.0.3:8080']);
    assert.equal(now[0]!.state, held.state, 'same state object: the in-flight count carries over');
    assert.equal(b.pick(input)!.address, '10.0.0.3:8080', 'least-connections sees the request still in flight');
    b.release(held, false, 5);
    assert.equal(now[0]!.state.inflight, 0);
  });

  it('a name that does not resolve: no address, DNS_ERROR with the code, and no peer (503)', async () => {
    const dns = dnsWith(new Map());
    const b = new UpstreamBalancer({ upstream: 'u', factory: createRoundRobin, targets: [named(0, 'gone.internal')], dns });
    await dns.refresh('gone.internal');
    assert.deepEqual(b.resolution().map((r) => [r.dns, r.error, r.addresses.length]), [['error', 'ENOTFOUND', 0]]);
    assert.equal(b.pick(input), null);
  });

  it('a rebuild given the previous balancer shares the state of every address still there', () => {
    const dns = dnsWith(new Map());
    const first = new UpstreamBalancer({ upstream: 'u', factory: createLeastConnections, targets: [target(0, 100), target(1, 100)], dns });
    const p = first.pick(input)!;
    const second = new UpstreamBalancer({ upstream: 'u', factory: createLeastConnections, targets: [target(0, 100), target(1, 300), target(2, 100)], dns, previous: first });
    const same = second.addresses().find((a) => a.address === p.address)!;
    assert.equal(same.state, p.state);
    assert.equal(same.state.inflight, 1);
    first.release(p, false, 1); // released on the old balancer, seen by the new one
    assert.equal(same.state.inflight, 0);
  });
});
