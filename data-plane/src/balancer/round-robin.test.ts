import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { it } from 'node:test';
import { balancerContract } from './balancer.contract.js';
import { createRoundRobin } from './round-robin.js';

balancerContract('round-robin', createRoundRobin);

const input = { req: { headers: {} } as IncomingMessage, clientIp: '', consumerId: null };

it('round-robin is smooth: weights 3:1 interleave (a a b a), exact over every cycle', () => {
  const b = createRoundRobin([
    { id: 'a', index: 0, host: 'a', port: 1, weight: 3 },
    { id: 'b', index: 1, host: 'b', port: 1, weight: 1 },
  ]);
  const seq = Array.from({ length: 8 }, () => b.pick(input)!.id).join('');
  assert.equal(seq, 'aabaaaba');
});
