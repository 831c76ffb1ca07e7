// An upstream entity with every default filled, as a snapshot carries it, for
// health tests: the same record defaults the admin API writes.
import { CircuitBreakersSchema, HealthchecksSchema, OutlierDetectionSchema, type Upstream } from '@portico/shared';
import { Value } from '@sinclair/typebox/value';

type Deep = Record<string, unknown>;

/** `over` with every missing field (nested ones too) set to the schema's default. */
const filled = (schema: Parameters<typeof Value.Default>[0], over: Deep): Deep => Value.Default(schema, structuredClone(over)) as Deep;

export function upstreamEntity(o: { active?: Deep; passive?: Deep; outlier?: Deep; breakers?: Deep; name?: string } = {}): Upstream {
  const healthchecks = filled(HealthchecksSchema, { active: o.active ?? {}, passive: o.passive ?? {} });
  return {
    name: o.name ?? 'u',
    healthchecks,
    outlier_detection: filled(OutlierDetectionSchema, o.outlier ?? {}),
    circuit_breakers: filled(CircuitBreakersSchema, o.breakers ?? {}),
  } as unknown as Upstream;
}
