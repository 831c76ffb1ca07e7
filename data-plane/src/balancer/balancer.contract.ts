// The Balancer contract: every implementation runs these.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { CompiledTarget } from '../compile/types.js';
import type { BalancerFactory, PickInput } from './types.js';

const input: PickInput = { req: { headers: {} } as IncomingMessage, clientIp: '127.0.0.1', consumerId: null };
const t = (index: number, weight: number): CompiledTarget => ({ id: `t${index}`, index, host: '127.0.0.1', port: 9000 + index, weight });

export function balancerContract(label: string, make: BalancerFactory): void {
  describe(`Balancer contract: ${label}`, () => {
    it('answers null when there is no target, or every weight is 0', () => {
      assert.equal(make([]).pick(input), null);
      assert.equal(make([t(0, 0), t(1, 0)]).pick(input), null);
    });
    it('never picks a weight-0 target', () => {
      const b = make([t(0, 0), t(1, 10)]);
      for (let i = 0; i < 50; i++) assert.equal(b.pick(input)?.index, 1);
    });
    it('picks only targets it was given, and every positive-weight target eventually', () => {
      const targets = [t(0, 1), t(1, 1), t(2, 1)];
      const b = make(targets);
      const seen = new Set<number>();
      for (let i = 0; i < 300; i++) {
        const p = b.pick(input);
        assert.ok(p !== null && targets.includes(p));
        seen.add(p.index);
      }
      assert.equal(seen.size, 3);
    });
  });
}
