import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricSnapshot } from '../metrics/cells.js';
import { mergeSnapshots } from '../metrics/scrape.js';
import { WorkerMetricsLedger } from './metrics-ledger.js';

const snapshot = (requests: number, heap: number): MetricSnapshot[] => [
  { name: 'kong_http_requests_total', help: 'h', type: 'counter', aggregator: 'sum', values: [{ labels: { code: '200' }, value: requests }] },
  { name: 'kong_memory_workers_lua_vms_bytes', help: 'h', type: 'gauge', aggregator: 'sum', values: [{ labels: { pid: String(heap) }, value: heap }] },
];

describe('worker metrics ledger (the node metrics of --workers N)', () => {
  it("keeps a slow worker's last answer and an exited worker's counters, not its gauges", async () => {
    const ledger = new WorkerMetricsLedger();
    assert.equal(ledger.last(1), undefined);
    ledger.answered(1, snapshot(5, 100));
    ledger.answered(2, snapshot(7, 200));
    assert.deepEqual(ledger.last(1), snapshot(5, 100));

    ledger.exited(1);
    ledger.exited(2);
    ledger.exited(3); // never answered: nothing to keep
    const retired = await ledger.retired();
    assert.equal(retired.length, 1, 'folded into one snapshot');
    const text = await mergeSnapshots([...retired, snapshot(1, 300)]);
    assert.match(text, /^kong_http_requests_total\{code="200"\} 13$/m, 'the node total never goes back');
    assert.doesNotMatch(text, /pid="100"|pid="200"/, 'a gone process has no heap');
    assert.match(text, /pid="300"/);
    assert.equal(ledger.last(1), undefined);
  });
});
