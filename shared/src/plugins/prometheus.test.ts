// prometheus's schema as the admin API sees it: Kong's defaults, messages,
// scopes and protocols.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pluginValidator } from '../validation/entities.js';
import { PLUGIN_SCHEMAS } from './index.js';

const auto = { auto: { now: 1700000000 } };
const SOME_ID = { id: '0b3f9a52-5a0e-4a6b-9a56-0c6d3c0b1d2e' };

test('prometheus is registered with Kong priority 13 and every switch off by default', () => {
  assert.equal(PLUGIN_SCHEMAS.get('prometheus')?.priority, 13);
  const r = pluginValidator.validate({ name: 'prometheus' }, auto);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.fields));
  assert.deepEqual(r.entity.config, {
    per_consumer: false,
    status_code_metrics: false,
    ai_metrics: false,
    latency_metrics: false,
    bandwidth_metrics: false,
    upstream_health_metrics: false,
  });
  assert.deepEqual(r.entity.protocols, ['grpc', 'grpcs', 'http', 'https']);
});

test('prometheus config errors use Kong messages', () => {
  const r = pluginValidator.validate({ name: 'prometheus', config: { status_code_metrics: 'yes', per_service: true } }, auto);
  assert.ok(!r.ok);
  assert.deepEqual(r.fields, { config: { status_code_metrics: 'expected a boolean', per_service: 'unknown field' } });
});

test('prometheus takes every scope Kong allows (consumer included) and stream protocols', () => {
  const r = pluginValidator.validate({ name: 'prometheus', consumer: SOME_ID, route: SOME_ID, service: SOME_ID, protocols: ['http', 'tcp', 'tls'] }, auto);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.fields));
});
