import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompiledConfig } from '../compile/types.js';
import type { UpstreamHealthReport } from '../health/types.js';
import { configHashNumber, NodeMetrics } from './node-metrics.js';
import { ProcessMetrics } from './process-metrics.js';
import { mergeSnapshots } from './scrape.js';

const report: UpstreamHealthReport[] = [
  {
    upstream_id: 'u1',
    upstream_name: 'orders',
    targets: [
      { target_id: 't1', target: '10.0.0.1:80', weight: 100, health: 'HEALTHY', addresses: [{ ip: '10.0.0.1', port: 80, health: 'HEALTHY', weight: 100 }] },
      { target_id: 't2', target: 'gone.internal:80', weight: 100, health: 'DNS_ERROR', addresses: [] },
    ],
  },
];

describe('node metrics (status listener)', () => {
  it('exports kong_upstream_target_health only while an enabled prometheus instance asks for it, with Kong labels and states', async () => {
    const pm = new ProcessMetrics();
    const cell: { current: CompiledConfig | null } = { current: null };
    const node = new NodeMetrics({ nodeId: 'n1', hostname: 'h1', softwareVersion: '1.2.3', config: cell, upstreamHealthExported: () => pm.upstreamHealthExported, health: () => report });
    const scrape = async () => mergeSnapshots([await node.snapshot()]);

    assert.doesNotMatch(await scrape(), /^kong_upstream_target_health\{/m);
    pm.exportUpstreamHealth('p1', false);
    pm.exportUpstreamHealth('p2', true);
    let text = await scrape();
    assert.match(text, /^kong_upstream_target_health\{upstream="orders",target="10.0.0.1:80",address="10.0.0.1:80",state="healthy",subsystem="http"\} 1$/m);
    assert.match(text, /^kong_upstream_target_health\{upstream="orders",target="10.0.0.1:80",address="10.0.0.1:80",state="unhealthy",subsystem="http"\} 0$/m);
    assert.match(text, /^kong_upstream_target_health\{upstream="orders",target="gone.internal:80",address="",state="dns_error",subsystem="http"\} 1$/m);
    assert.equal(text.split('\n').filter((l) => l.startsWith('kong_upstream_target_health{')).length, 8, 'four states per address');

    pm.retain(new Set(['p1'])); // the instance that asked is gone
    text = await scrape();
    assert.doesNotMatch(text, /^kong_upstream_target_health\{/m);
  });

  it('exports node info, a reachable datastore, no metric errors, and the served config hash and version', async () => {
    const cell: { current: CompiledConfig | null } = { current: null };
    const node = new NodeMetrics({ nodeId: 'n1', hostname: 'h1', softwareVersion: '1.2.3', config: cell, upstreamHealthExported: () => false, health: () => [] });
    let text = await mergeSnapshots([await node.snapshot()]);
    assert.match(text, /^kong_node_info\{node_id="n1",version="1.2.3"\} 1$/m);
    assert.match(text, /^kong_datastore_reachable 1$/m);
    assert.match(text, /^kong_nginx_metric_errors_total 0$/m);
    assert.doesNotMatch(text, /^kong_data_plane_config_hash\{/m, 'no config, no hash');
    cell.current = { version: 7, hash: 'ff' } as CompiledConfig;
    text = await mergeSnapshots([await node.snapshot()]);
    assert.match(text, /^kong_data_plane_config_hash\{node_id="n1",hostname="h1"\} 255$/m);
    assert.match(text, /^portico_data_plane_config_version\{node_id="n1",hostname="h1"\} 7$/m);
    assert.equal(configHashNumber('zz'), NaN);
  });
});
