// The registry: state keyed by upstream name + address survives swaps, is
// pruned with its upstream or target, reads config from snapshot bodies, and
// answers the HealthView, the report and retry exclusion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledUpstream } from '../compile/types.js';
import { DEFAULT_HEALTH_CONFIG, healthConfig, Outcome } from './config.js';
import { HealthRegistry } from './registry.js';
import { HealthConfigs } from './snapshot-config.js';
import { upstreamEntity } from './test-fixtures.js';

function upstream(name: string, ports: number[], weights: number[] = ports.map(() => 100)): CompiledUpstream {
  const targets = ports.map((port, index) => ({ id: `${name}-t${port}`, index, host: '10.0.0.1', port, weight: weights[index]!, target: `10.0.0.1:${port}`, isName: false }));
  // A balancer that honours the health view, as every real one does.
  let ctx: HealthRegistry | null = null;
  const u = {
    id: `id-${name}`,
    name,
    hostHeader: null,
    targets,
    balancer: {
      pick: () => {
        const t = targets.find((x) => x.weight > 0 && (ctx?.isAvailable(name, `10.0.0.1:${x.port}`) ?? true));
        return t === undefined ? null : { target: t, ip: '10.0.0.1', port: t.port, weight: t.weight, address: `10.0.0.1:${t.port}`, state: { inflight: 0, ewma: 0, ewmaAt: 0, sampled: false } };
      },
    },
  };
  return Object.assign(u, { attach: (r: HealthRegistry) => (ctx = r) }) as unknown as CompiledUpstream;
}

const passive = healthConfig(upstreamEntity({ passive: { unhealthy: { tcp_failures: 1 } }, outlier: { max_ejection_percent: 50 } }));

test('health survives a swap that rebuilds the upstream; a removed target or upstream is forgotten', () => {
  const reg = new HealthRegistry();
  const v1 = upstream('u', [1, 2, 3]);
  reg.sync([v1], new Map([[v1.id, passive]]));
  const rt1 = reg.runtime(v1);
  rt1.health.passive(rt1.targets[1]!, Outcome.TCP_FAILURE);
  assert.equal(reg.isAvailable('u', '10.0.0.1:2'), false);

  const v2 = upstream('u', [1, 2, 3], [100, 100, 50]); // a weight changed: new compiled upstream
  reg.sync([v2], new Map([[v2.id, passive]]));
  assert.equal(reg.isAvailable('u', '10.0.0.1:2'), false, 'still ejected after the swap');
  assert.equal(reg.runtime(v2).targets[1], rt1.targets[1], 'same state object');

  const v3 = upstream('u', [1, 3]);
  reg.sync([v3], new Map([[v3.id, passive]]));
  assert.equal(reg.upstream('u')!.targets.has('10.0.0.1:2'), false);
  assert.equal(reg.upstream('u')!.ejectedCount, 0, 'the pruned target took its ejection with it');

  reg.sync([], new Map());
  assert.equal(reg.upstream('u'), undefined);
  assert.equal(reg.isAvailable('u', '10.0.0.1:1'), true, 'unknown = available');
  reg.close();
});

test('report(): Kong health words per target; HEALTHCHECKS_OFF when nothing is checked', () => {
  const reg = new HealthRegistry();
  const a = upstream('a', [1, 2]);
  const b = upstream('b', [1]);
  reg.sync([a, b], new Map([[a.id, passive], [b.id, DEFAULT_HEALTH_CONFIG]]));
  const rt = reg.runtime(a);
  rt.health.passive(rt.targets[0]!, Outcome.TCP_FAILURE);
  const report = reg.report();
  assert.deepEqual(
    report.map((u) => [u.upstream_name, u.targets.map((t) => [t.target, t.health, t.addresses[0]!.ip, t.addresses[0]!.port])]),
    [
      ['a', [['10.0.0.1:1', 'UNHEALTHY', '10.0.0.1', 1], ['10.0.0.1:2', 'HEALTHY', '10.0.0.1', 2]]],
      ['b', [['10.0.0.1:1', 'HEALTHCHECKS_OFF', '10.0.0.1', 1]]],
    ],
  );
  reg.close();
});

test('pickExcluding(): the balancer sees the excluded addresses as unavailable during that pick only', () => {
  const reg = new HealthRegistry();
  const u = upstream('x', [1, 2]);
  (u as unknown as { attach(r: HealthRegistry): void }).attach(reg);
  reg.sync([u], new Map());
  const input = { req: null as never, clientIp: '', consumerId: null };
  assert.equal(reg.pickExcluding(u, input, ['10.0.0.1:1'])?.port, 2);
  assert.equal(u.balancer.pick(input)?.port, 1, 'the exclusion ended with the call');
  assert.equal(reg.pickExcluding(u, input, ['10.0.0.1:1', '10.0.0.1:2']), null);
  reg.close();
});

test('HealthConfigs: upstream bodies → settings; an unchanged body keeps its config object; Portico fields default when absent', () => {
  const configs = new HealthConfigs();
  const body = JSON.stringify({ ...upstreamEntity({ passive: { unhealthy: { timeouts: 2 } }, breakers: { max_requests: 0 } }), id: 'u1' });
  const first = configs.read([{ type: 'upstreams', id: 'u1', body }]).get('u1')!;
  assert.equal(first.passive?.thresholds.timeouts, 2);
  assert.equal(first.breakers.maxRequests, Infinity, '0 = no limit');
  assert.equal(first.breakers.maxConnections, 1024);
  assert.equal(configs.read([{ type: 'upstreams', id: 'u1', body }]).get('u1'), first);
  const legacy = JSON.parse(body) as Record<string, unknown>;
  delete legacy['circuit_breakers'];
  delete legacy['outlier_detection'];
  const old = configs.read([{ type: 'upstreams', id: 'u1', body: JSON.stringify(legacy) }]).get('u1')!;
  assert.deepEqual([old.breakers.maxRequests, old.outlier.baseEjectionMs, old.outlier.maxEjectionPercent], [1024, 30_000, 10]);
});
