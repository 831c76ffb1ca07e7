import assert from 'node:assert/strict';
import { it } from 'node:test';
import { balancerContract } from './balancer.contract.js';
import { createLeastConnections } from './least-connections.js';
import { addresses, context, request } from './test-addresses.js';

balancerContract('least-connections', createLeastConnections);

const input = request();

it('least-connections (P2C) sends new requests to the less loaded of two', () => {
  const list = addresses(100, 100);
  const b = createLeastConnections(list, context());
  list[0]!.state.inflight = 5;
  for (let i = 0; i < 100; i++) {
    const p = b.pick(input)!;
    assert.equal(p, list[1]);
    b.release!(p, false, 1);
  }
});

it('least-connections compares in-flight per unit of weight: 2 on weight 300 beats 1 on weight 100', () => {
  const list = addresses(300, 100);
  const b = createLeastConnections(list, context());
  list[0]!.state.inflight = 2;
  list[1]!.state.inflight = 1;
  assert.equal(b.pick(input), list[0]);
});

it('least-connections under held load converges to in-flight in proportion to weight', () => {
  const list = addresses(100, 300);
  const b = createLeastConnections(list, context());
  for (let i = 0; i < 400; i++) b.pick(input); // never released: all in flight
  const [a, c] = [list[0]!.state.inflight, list[1]!.state.inflight];
  assert.ok(Math.abs(c / a - 3) < 0.2, `in flight ${a}:${c}`);
});
