import assert from 'node:assert/strict';
import { it } from 'node:test';
import { balancerContract } from './balancer.contract.js';
import { createRoundRobin } from './round-robin.js';
import { addresses, context, healthDown, request } from './test-addresses.js';

balancerContract('round-robin', createRoundRobin);

const input = request();

it('round-robin is smooth: weights 3:1 interleave (a a b a), exact over every cycle', () => {
  const list = addresses(3, 1);
  const b = createRoundRobin(list, context());
  const seq = Array.from({ length: 8 }, () => (b.pick(input) === list[0] ? 'a' : 'b')).join('');
  assert.equal(seq, 'aabaaaba');
});

it('round-robin: an unavailable address sits out and the others keep their ratio', () => {
  const list = addresses(2, 1, 5);
  const down = new Set([list[2]!.address]);
  const b = createRoundRobin(list, context({ health: healthDown(down) }));
  const seq = Array.from({ length: 6 }, () => (b.pick(input) === list[0] ? 'a' : 'b')).join('');
  assert.equal(seq, 'abaaba');
});
