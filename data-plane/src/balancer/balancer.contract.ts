// The Balancer contract: every algorithm runs these.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addresses, context, healthDown, rebuilt, request, seeded } from './test-addresses.js';
import type { BalancerFactory, TargetAddress } from './types.js';

const input = request('/');

export function balancerContract(label: string, make: BalancerFactory): void {
  describe(`Balancer contract: ${label}`, () => {
    it('answers null when there is no address, or every weight is 0', () => {
      assert.equal(make([], context()).pick(input), null);
      assert.equal(make(addresses(0, 0), context()).pick(input), null);
    });

    it('never picks a weight-0 address', () => {
      const list = addresses(0, 10, 0);
      const b = make(list, context());
      for (let i = 0; i < 100; i++) assert.equal(b.pick(input), list[1]);
    });

    it('never picks what the health view says is unavailable, and answers null when nothing is available', () => {
      const list = addresses(5, 5, 5);
      const down = new Set([list[0]!.address, list[2]!.address]);
      const b = make(list, context({ health: healthDown(down) }));
      for (let i = 0; i < 100; i++) {
        const p = b.pick(input);
        assert.equal(p, list[1]);
        b.release?.(p!, false, 1);
      }
      down.add(list[1]!.address);
      assert.equal(b.pick(input), null);
      down.clear();
      assert.ok(b.pick(input) !== null, 'available again once the view says so');
    });

    it('picks only addresses it was given, and every positive-weight one eventually', () => {
      const list = addresses(1, 1, 1);
      const b = make(list, context());
      const seen = new Set<TargetAddress>();
      for (let i = 0; i < 300; i++) {
        const p = b.pick(input);
        assert.ok(p !== null && list.includes(p));
        seen.add(p);
        b.release?.(p, false, 5);
      }
      assert.equal(seen.size, 3);
    });

    it('spreads by weight over many picks (1:3 gives the heavy one 65–85%)', () => {
      const list = addresses(100, 300);
      const b = make(list, context({ random: seeded(7) }));
      let heavy = 0;
      const n = 4000;
      for (let i = 0; i < n; i++) {
        const p = b.pick(input)!;
        if (p === list[1]) heavy++;
        b.release?.(p, false, 5);
      }
      assert.ok(heavy / n > 0.65 && heavy / n < 0.85, `heavy share ${heavy / n}`);
    });

    it('counts in-flight picks in the shared address state, and release takes them back', () => {
      const list = addresses(1, 1);
      const b = make(list, context());
      const p = b.pick(input)!;
      assert.equal(p.state.inflight, 1);
      b.release?.(p, false, 3);
      assert.equal(p.state.inflight, 0);
    });

    it('a rebuild over the same addresses, given the previous balancer, goes on exactly where it was', () => {
      const run = (rebuildAt: number | null): string[] => {
        const ctx = context({ random: seeded(99) });
        let list = addresses(300, 100, 200);
        let b = make(list, ctx);
        const seq: string[] = [];
        for (let i = 0; i < 60; i++) {
          if (i === rebuildAt) {
            list = rebuilt(list);
            b = make(list, ctx, b);
          }
          const p = b.pick(input)!;
          seq.push(p.address);
          if (i % 3 !== 0) b.release?.(p, false, 10); // some stay in flight
        }
        return seq;
      };
      assert.deepEqual(run(25), run(null));
    });
  });
}
