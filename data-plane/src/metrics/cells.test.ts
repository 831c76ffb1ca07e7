import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CounterFamily, HistogramFamily } from './cells.js';
import { KONG_LATENCY_BUCKETS } from './kong-traffic.js';
import { mergeSnapshots } from './scrape.js';

const lines = (text: string, prefix: string): string[] => text.split('\n').filter((l) => l.startsWith(prefix));

describe('metric cells', () => {
  it('hands out one cell per label set, and a scrape shows only series that counted', async () => {
    const f = new CounterFamily('kong_http_requests_total', 'help', ['service', 'code']);
    const a = f.cell(['s', '200']);
    assert.equal(f.cell(['s', '200']), a, 'the same labels give the same cell');
    f.cell(['s', '500']); // looked up, never incremented
    a.value += 3;
    const snap = await f.get();
    assert.deepEqual(snap.values, [{ labels: { service: 's', code: '200' }, value: 3 }]);
    assert.throws(() => f.cell(['only-one']), /expected 2 label values/);
  });

  it('a histogram counts a value in the first bucket whose bound is ≥ it (Kong buckets), cumulative at scrape', async () => {
    const h = new HistogramFamily('kong_kong_latency_ms', 'help', ['service'], KONG_LATENCY_BUCKETS);
    const c = h.cell(['s']);
    for (const v of [0, 1, 2, 3, 1000, 1001]) c.observe(v);
    const text = await mergeSnapshots([[await h.get()]]);
    assert.match(text, /^kong_kong_latency_ms_bucket\{service="s",le="1"\} 2$/m);
    assert.match(text, /^kong_kong_latency_ms_bucket\{service="s",le="2"\} 3$/m);
    assert.match(text, /^kong_kong_latency_ms_bucket\{service="s",le="5"\} 4$/m);
    assert.match(text, /^kong_kong_latency_ms_bucket\{service="s",le="1000"\} 5$/m);
    assert.match(text, /^kong_kong_latency_ms_bucket\{service="s",le="\+Inf"\} 6$/m);
    assert.match(text, /^kong_kong_latency_ms_sum\{service="s"\} 2007$/m);
    assert.match(text, /^kong_kong_latency_ms_count\{service="s"\} 6$/m);
    assert.equal(lines(text, 'kong_kong_latency_ms_bucket').length, KONG_LATENCY_BUCKETS.length + 1);
    assert.match(text, /^# TYPE kong_kong_latency_ms histogram$/m);
  });

  it('merging snapshots of several processes sums counters and histograms per label set, and escapes label values', async () => {
    const snap = async (n: number) => {
      const f = new CounterFamily('c_total', 'help', ['route']);
      f.cell(['r"1']).value += n;
      f.cell([`p${n}`]).value += 1;
      const h = new HistogramFamily('h_ms', 'help', ['route'], [10]);
      h.cell(['r']).observe(n);
      return [await f.get(), await h.get()];
    };
    const text = await mergeSnapshots([await snap(2), await snap(20)]);
    assert.match(text, /^c_total\{route="r\\"1"\} 22$/m);
    assert.match(text, /^c_total\{route="p2"\} 1$/m);
    assert.match(text, /^c_total\{route="p20"\} 1$/m);
    assert.match(text, /^h_ms_bucket\{route="r",le="10"\} 1$/m);
    assert.match(text, /^h_ms_count\{route="r"\} 2$/m);
    assert.match(text, /^h_ms_sum\{route="r"\} 22$/m);
  });
});
