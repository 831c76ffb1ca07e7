import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TABLE_PERCENTS, parseLatencyTable, pooledQuantile, type LatencyTable } from './latency-pool.js';

/** A table for `count` requests whose latencies are spread evenly over [lo, hi] µs. */
function uniform(count: number, lo: number, hi: number): LatencyTable {
  return { count, points: TABLE_PERCENTS.map((p): [number, number] => [p, lo + ((hi - lo) * p) / 100]) };
}

test('one run: the pooled quantile is the run’s own', () => {
  const t = uniform(1000, 1000, 11_000);
  assert.ok(Math.abs(pooledQuantile([t], 0.5) - 6) < 0.01);
  assert.ok(Math.abs(pooledQuantile([t], 0.99) - 10.9) < 0.01);
});

test('runs are weighted by their request counts, not averaged', () => {
  // 99% of requests at 1–2 ms, 1% (one stalled run) at 100–200 ms: the pooled
  // p99 sits at the edge of the stall, where a median of per-run p99s would
  // either ignore it or take it whole.
  const fast = uniform(9900, 1000, 2000);
  const stalled = uniform(100, 100_000, 200_000);
  const p99 = pooledQuantile([fast, stalled], 0.99);
  assert.ok(p99 > 1.9 && p99 < 2.1, `p99 ${p99}`);
  const p995 = pooledQuantile([fast, stalled], 0.995);
  assert.ok(p995 > 140 && p995 < 160, `p99.5 ${p995}`);
});

test('runs without a table are left out; none at all is NaN', () => {
  const t = uniform(10, 1000, 2000);
  assert.equal(pooledQuantile([null, t, undefined], 0.5), pooledQuantile([t], 0.5));
  assert.ok(Number.isNaN(pooledQuantile([null], 0.5)));
});

test('parses the hook’s line out of wrk’s report, and makes the table monotone', () => {
  const out = 'Requests/sec:   100.00\nTransfer/sec:      1.83MB\nPORTICO-LATENCY 42 1:100,50:90,100:300\n';
  assert.deepEqual(parseLatencyTable(out), { count: 42, points: [[1, 100], [50, 100], [100, 300]] });
  assert.deepEqual(parseLatencyTable(out.replace('MB\n', 'MB')), parseLatencyTable(out));
  assert.equal(parseLatencyTable('no table here'), null);
  assert.equal(parseLatencyTable('PORTICO-LATENCY 0 1:5,100:5'), null);
});
