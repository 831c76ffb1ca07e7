// Passive checks and outlier ejection: Kong's counters over proxied traffic,
// Envoy's ejection with back-off and a max-ejected share, re-admission.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { healthConfig, Outcome } from './config.js';
import { upstreamEntity } from './test-fixtures.js';
import { TargetHealth } from './target-health.js';
import { UpstreamHealth } from './upstream-health.js';

function pool(n: number, passive: Record<string, unknown>, outlier: Record<string, unknown> = {}, clock = { t: 1000 }) {
  const transitions: string[] = [];
  const h = new UpstreamHealth('u', healthConfig(upstreamEntity({ passive, outlier })), (t, ok, reason) => transitions.push(`${t.address} ${ok ? 'up' : 'down'} (${reason})`), () => clock.t);
  const ts: TargetHealth[] = [];
  for (let i = 0; i < n; i++) ts.push(h.target(`10.0.0.${i}:80`, `10.0.0.${i}`, 80, `t${i}`, 100));
  return { h, ts, transitions, clock };
}

describe('passive checks', () => {
  test('tcp_failures consecutive failures eject the target; a healthy response in between resets the count', () => {
    const { h, ts, transitions } = pool(3, { unhealthy: { tcp_failures: 3 } }, { max_ejection_percent: 50 });
    const [a] = ts;
    h.passive(a!, Outcome.TCP_FAILURE);
    h.passive(a!, Outcome.TCP_FAILURE);
    h.response(a!, 200);
    h.passive(a!, Outcome.TCP_FAILURE);
    h.passive(a!, Outcome.TCP_FAILURE);
    assert.equal(a!.available, true, 'the success reset the failures');
    h.passive(a!, Outcome.TCP_FAILURE);
    assert.equal(a!.available, false);
    assert.deepEqual(transitions, ['10.0.0.0:80 down (passive)']);
    h.close();
  });

  test('http_failures counts statuses in passive.unhealthy.http_statuses only; timeouts count timeouts', () => {
    const { h, ts } = pool(4, { unhealthy: { http_failures: 2, timeouts: 2 } }, { max_ejection_percent: 50 });
    const [a, b] = ts;
    h.response(a!, 404);
    h.response(a!, 404);
    assert.equal(a!.available, true, '404 is not in the default unhealthy statuses');
    h.response(a!, 500);
    h.response(a!, 503);
    assert.equal(a!.available, false);
    h.passive(b!, Outcome.TIMEOUT);
    h.passive(b!, Outcome.TIMEOUT);
    assert.equal(b!.available, false);
    h.close();
  });

  test('checks off (every unhealthy threshold 0): failures never eject', () => {
    const { h, ts } = pool(2, {});
    for (let i = 0; i < 100; i++) h.passive(ts[0]!, Outcome.TCP_FAILURE);
    assert.equal(ts[0]!.available, true);
    assert.equal(h.checksOn, false);
    h.close();
  });

  test('max_ejection_percent caps ejections, but one of two or more may always go; the last available never does', () => {
    const ten = pool(10, { unhealthy: { tcp_failures: 1 } }, { max_ejection_percent: 20 });
    for (const t of ten.ts) ten.h.passive(t, Outcome.TCP_FAILURE);
    assert.equal(ten.ts.filter((t) => !t.available).length, 2, '20% of 10');
    ten.h.close();

    const two = pool(2, { unhealthy: { tcp_failures: 1 } }, { max_ejection_percent: 0 });
    two.h.passive(two.ts[0]!, Outcome.TCP_FAILURE);
    two.h.passive(two.ts[1]!, Outcome.TCP_FAILURE);
    assert.deepEqual(two.ts.map((t) => t.available), [false, true], 'one ejection allowed even at 0%, never the last one');
    two.h.close();

    const one = pool(1, { unhealthy: { tcp_failures: 1 } }, { max_ejection_percent: 100 });
    one.h.passive(one.ts[0]!, Outcome.TCP_FAILURE);
    assert.equal(one.ts[0]!.available, true, 'a pool of one never ejects itself empty');
    one.h.close();
  });

  test('an ejected target comes back after base_ejection_time; the next ejection lasts twice as long', async () => {
    const { h, ts, transitions } = pool(2, { unhealthy: { tcp_failures: 1 } }, { base_ejection_time: 0.05 });
    const [a] = ts;
    const started = performance.now();
    h.passive(a!, Outcome.TCP_FAILURE);
    assert.equal(a!.ejections, 1);
    while (!a!.available) await new Promise((r) => setTimeout(r, 5));
    const first = performance.now() - started;
    assert.ok(first >= 45, `first ejection lasted ${first} ms`);
    const again = performance.now();
    h.passive(a!, Outcome.TCP_FAILURE);
    assert.equal(a!.ejections, 2, 'the multiplier grew: the target failed again at once');
    while (!a!.available) await new Promise((r) => setTimeout(r, 5));
    const second = performance.now() - again;
    assert.ok(second >= 95, `second ejection lasted ${second} ms`);
    assert.deepEqual(transitions, ['10.0.0.0:80 down (passive)', '10.0.0.0:80 up (ejection ended)', '10.0.0.0:80 down (passive)', '10.0.0.0:80 up (ejection ended)']);
    h.close();
  });

  test('the back-off multiplier decays by one per base_ejection_time spent in the pool', () => {
    const clock = { t: 1000 };
    const { h, ts } = pool(2, { unhealthy: { tcp_failures: 1 } }, { base_ejection_time: 10 }, clock);
    const [a] = ts;
    a!.ejections = 3;
    a!.readmittedAt = clock.t;
    clock.t += 25_000; // 2.5 × base in the pool
    h.passive(a!, Outcome.TCP_FAILURE);
    assert.equal(a!.ejections, 2, '3 - 2 + 1');
    h.close();
  });

  test('max_ejection_time caps the back-off', async () => {
    const { h, ts } = pool(2, { unhealthy: { tcp_failures: 1 } }, { base_ejection_time: 0.04, max_ejection_time: 0.06 });
    const a = ts[0]!;
    a.ejections = 50; // uncapped: 51 × 40 ms ≈ 2 s
    const started = performance.now();
    h.passive(a, Outcome.TCP_FAILURE);
    while (!a.available) await new Promise((r) => setTimeout(r, 5));
    const took = performance.now() - started;
    assert.ok(took >= 55 && took < 1500, `ejection lasted ${took} ms`);
    h.close();
  });

  test('turning passive checks off re-admits what they ejected', () => {
    const { h, ts } = pool(2, { unhealthy: { tcp_failures: 1 } });
    h.passive(ts[0]!, Outcome.TCP_FAILURE);
    assert.equal(ts[0]!.available, false);
    h.setConfig(healthConfig(upstreamEntity({})));
    assert.equal(ts[0]!.available, true);
    assert.equal(h.ejectedCount, 0);
    h.close();
  });
});
