import assert from 'node:assert/strict';
import { it } from 'node:test';
import { balancerContract } from './balancer.contract.js';
import { createLatency } from './latency.js';
import { addresses, context, rebuilt, request } from './test-addresses.js';

balancerContract('latency', createLatency);

const input = request();

it('latency steers away from a slow address once releases report it', () => {
  const list = addresses(100, 100);
  const b = createLatency(list, context());
  const ms = (p: unknown): number => (p === list[0] ? 400 : 10);
  for (let i = 0; i < 20; i++) {
    const p = b.pick(input)!;
    b.release!(p, false, ms(p));
  }
  let slow = 0;
  for (let i = 0; i < 1000; i++) {
    const p = b.pick(input)!;
    if (p === list[0]) slow++;
    b.release!(p, false, ms(p));
  }
  assert.ok(slow < 50, `slow address got ${slow}/1000`);
});

it('latency probes an avoided address again once its EWMA has decayed, and sees it recovered', () => {
  let now = 1_000;
  const list = addresses(100, 100);
  const b = createLatency(list, context({ now: () => now }));
  list[0]!.state.ewma = 500;
  list[0]!.state.ewmaAt = now;
  list[0]!.state.sampled = true;
  list[1]!.state.ewma = 20;
  list[1]!.state.ewmaAt = now;
  list[1]!.state.sampled = true;
  assert.equal(b.pick(input), list[1]);
  b.release!(list[1]!, false, 20);
  now += 60_000; // a minute without samples of the slow one; the fast one keeps serving
  list[1]!.state.ewmaAt = now;
  const p = b.pick(input);
  assert.equal(p, list[0], 'the decayed address is tried again');
  b.release!(p!, false, 5); // it answered fast: recovered
  assert.ok(list[0]!.state.ewma < 20);
});

it('latency: a failed attempt counts as slow even when it failed fast', () => {
  const list = addresses(100, 100);
  const b = createLatency(list, context());
  b.release!(list[0]!, true, 1);
  b.release!(list[1]!, false, 50);
  for (let i = 0; i < 20; i++) {
    const p = b.pick(input)!;
    assert.equal(p, list[1]);
    b.release!(p, false, 50);
  }
});

it('latency: a new address starts at the mean EWMA of the others (slow start), not at zero', () => {
  const list = addresses(100, 100);
  const b = createLatency(list, context());
  b.release!(list[0]!, false, 100);
  b.release!(list[1]!, false, 300);
  const grown = [...rebuilt(list), ...addresses(0, 0, 100).slice(2)];
  createLatency(grown, context(), b);
  assert.equal(grown[2]!.state.ewma, 200);
});
