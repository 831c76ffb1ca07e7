import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancerHealth, mergeTargets, type ConfiguredTarget } from './health-merge.js';
import type { HealthState, NodeHealth } from './types.js';

const cfg = (id: string, target: string, weight = 100): ConfiguredTarget => ({ id, target, weight, upstream: { id: 'u' } });
const node = (id: string, targets: { id: string; target: string; health: HealthState; ips?: string[] }[], connected = true): NodeHealth => ({
  node_id: id,
  connected,
  reported_at: 0,
  changed_at: 0,
  upstreams: [
    {
      upstream_id: 'u',
      upstream_name: 'u',
      targets: targets.map((t) => ({ target_id: t.id, target: t.target, weight: 100, health: t.health, addresses: (t.ips ?? ['10.0.0.1']).map((ip) => ({ ip, port: 80, health: t.health, weight: 100 })) })),
    },
  ],
});

test('health merge: the worst verdict wins — UNHEALTHY over DNS_ERROR over HEALTHCHECKS_OFF over HEALTHY', () => {
  const pairs: [HealthState, HealthState, HealthState][] = [
    ['HEALTHY', 'HEALTHY', 'HEALTHY'],
    ['HEALTHY', 'HEALTHCHECKS_OFF', 'HEALTHCHECKS_OFF'],
    ['HEALTHCHECKS_OFF', 'DNS_ERROR', 'DNS_ERROR'],
    ['DNS_ERROR', 'UNHEALTHY', 'UNHEALTHY'],
    ['UNHEALTHY', 'HEALTHY', 'UNHEALTHY'],
  ];
  for (const [x, y, want] of pairs) {
    const [row] = mergeTargets('u', true, [cfg('t1', 'h:80')], [node('a', [{ id: 't1', target: 'h:80', health: x }]), node('b', [{ id: 't1', target: 'h:80', health: y }])]);
    assert.equal(row!.health, want, `${x} + ${y}`);
  }
});

test('health merge: targets match by id, else by host:port; addresses are the union over nodes; disconnected nodes and other upstreams do not count', () => {
  const nodes = [
    node('a', [{ id: 'other-id', target: 'svc.local:80', health: 'HEALTHY', ips: ['10.0.0.1'] }]),
    node('b', [{ id: 't1', target: 'svc.local:80', health: 'HEALTHY', ips: ['10.0.0.1', '10.0.0.2'] }]),
    node('gone', [{ id: 't1', target: 'svc.local:80', health: 'UNHEALTHY' }], false),
  ];
  const [row] = mergeTargets('u', true, [cfg('t1', 'svc.local:80')], nodes);
  assert.deepEqual(row!.nodes, { a: 'HEALTHY', b: 'HEALTHY' });
  assert.deepEqual(row!.data.addresses.map((x) => x.ip), ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual({ host: row!.data.host, port: row!.data.port, nodeWeight: row!.data.nodeWeight }, { host: 'svc.local', port: 80, nodeWeight: 100 });
  assert.deepEqual(mergeTargets('elsewhere', true, [cfg('t1', 'svc.local:80')], nodes)[0]!.nodes, {});
});

test('health merge: an IPv6 target splits into host and port; an unreported target has no verdict and no addresses', () => {
  const [row] = mergeTargets('u', true, [cfg('t6', '[::1]:8080')], []);
  assert.equal(row!.health, 'HEALTHCHECKS_OFF');
  assert.deepEqual(row!.nodes, {});
  assert.deepEqual({ host: row!.data.host, port: row!.data.port, addresses: row!.data.addresses }, { host: '::1', port: 8080, addresses: [] });
});

test('health merge: the balancer is healthy while the available weight is at least the threshold percent', () => {
  const rows = mergeTargets('u', true, [cfg('t1', 'a:80'), cfg('t2', 'b:80'), cfg('t3', 'c:80')], [
    node('a', [
      { id: 't1', target: 'a:80', health: 'HEALTHY' },
      { id: 't2', target: 'b:80', health: 'UNHEALTHY', ips: ['10.0.0.2'] },
      { id: 't3', target: 'c:80', health: 'UNHEALTHY', ips: ['10.0.0.3'] },
    ]),
  ]);
  assert.equal(balancerHealth('u', true, 33, rows).health, 'HEALTHY');
  assert.equal(balancerHealth('u', true, 34, rows).health, 'UNHEALTHY');
  assert.deepEqual(balancerHealth('u', true, 0, rows).details!.weight, { total: 300, available: 100, unavailable: 200 });
  assert.deepEqual(balancerHealth('u', false, 0, rows), { id: 'u', health: 'HEALTHCHECKS_OFF' });
});
