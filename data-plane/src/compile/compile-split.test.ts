// compile() over routes with `backends` and `mirror`: services resolved, the
// bucket table laid out, a dangling reference rejected whole (NACK).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPorticoError, SharedErrors } from '@portico/shared';
import { compile } from './compile.js';
import { route, service, uuid } from './test-fixtures.js';

const S1 = uuid();
const S2 = uuid();
const R = uuid();
const split = (over: Record<string, unknown>) => route(R, null, { backends: [{ service: { id: S1 }, weight: 90 }, { service: { id: S2 }, weight: 10 }], backend_hash_on: 'none', mirror: { service: { id: S2 }, percentage: 5 }, ...over });

test('a split compiles to a bucket table over its services; the route runs as its first backend; mirror resolved', () => {
  const cfg = compile({ version: 1, hash: 'h', resources: [service(S1), service(S2), split({})] });
  const r = cfg.routes.get(R)!;
  assert.equal(r.service?.id, S1);
  assert.deepEqual(r.backends?.services.map((s) => s.id), [S1, S2]);
  assert.equal(r.backends?.table.length, 1 << 14);
  assert.equal(r.mirror?.service.id, S2);
  assert.equal(r.mirror?.percentage, 5);
});

test('a one-element split is exactly `service`; a disabled backend takes no share', () => {
  const one = compile({ version: 1, hash: 'h', resources: [service(S1), route(R, null, { backends: [{ service: { id: S1 }, weight: 3 }] })] });
  assert.equal(one.routes.get(R)!.service?.id, S1);
  assert.equal(one.routes.get(R)!.backends ?? null, null);
  const off = compile({ version: 1, hash: 'h', resources: [service(S1), service(S2, { enabled: false }), split({})] });
  assert.ok(off.routes.get(R)!.backends!.table.every((i) => i === 0));
});

test('a backend or mirror naming a service not in the snapshot rejects the snapshot with a message naming it', () => {
  const missing = uuid();
  for (const [over, field] of [
    [{ backends: [{ service: { id: S1 }, weight: 1 }, { service: { id: missing }, weight: 1 }] }, 'backends[2].service'],
    [{ mirror: { service: { id: missing }, percentage: 1 } }, 'mirror.service'],
  ] as const) {
    assert.throws(
      () => compile({ version: 1, hash: 'h', resources: [service(S1), service(S2), split(over)] }),
      (err: unknown) => isPorticoError(err, SharedErrors.SNAPSHOT_INVALID) && err.message === `route '${R}': ${field}: references service '${missing}', which is not in the snapshot`,
    );
  }
});
