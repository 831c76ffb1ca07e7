// Entity schemas compiled once at module load, so a snapshot's bodies are
// checked by generated code, not by walking the schema per resource.
import { CloneType, FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck, type ValueError } from '@sinclair/typebox/compiler';
import {
  AclSchema,
  BasicAuthCredentialSchema,
  CertificateSchema,
  ConsumerSchema,
  JwtSecretSchema,
  KeyAuthCredentialSchema,
  PluginSchema,
  RouteSchema,
  ServiceSchema,
  SniSchema,
  TargetSchema,
  UpstreamSchema,
  type ResourceType,
} from '@portico/shared';

// TypeBox rejects any string with a `format` it has no checker for.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID.test(v));

interface EntityChecker {
  readonly check: TypeCheck<TSchema>;
  /** Top-level fields whose arrays of scalars must hold no duplicate: checked here, not by TypeBox. */
  readonly unique: readonly string[];
}

/**
 * TypeBox's generated `uniqueItems` check hashes every element with a BigInt
 * FNV-1a (value/hash): checking 10,000 routes took 50–90 ms with it and 8–18
 * without, of a full compile's ~350. The entities' sets (protocols,
 * methods, tags) are top-level arrays of scalars, so they are taken out of
 * the compiled schema and checked with === instead; any other uniqueItems
 * stays with TypeBox.
 */
function compileEntity(schema: TSchema): EntityChecker {
  const copy = CloneType(schema);
  const unique: string[] = [];
  for (const [field, prop] of Object.entries((copy['properties'] ?? {}) as Record<string, TSchema>)) {
    for (const variant of (prop['anyOf'] as TSchema[] | undefined) ?? [prop]) {
      if (variant['type'] === 'array' && variant['uniqueItems'] === true && isScalar(variant['items'] as TSchema)) {
        delete variant['uniqueItems'];
        unique.push(field);
      }
    }
  }
  return { check: TypeCompiler.Compile(copy), unique };
}

const SCALARS = new Set(['string', 'number', 'integer', 'boolean']);
const isScalar = (s: TSchema): boolean => SCALARS.has(s['type'] as string) || (Array.isArray(s['anyOf']) && (s['anyOf'] as TSchema[]).every(isScalar));

const checkers: Readonly<Record<ResourceType, EntityChecker>> = {
  certificates: compileEntity(CertificateSchema),
  snis: compileEntity(SniSchema),
  services: compileEntity(ServiceSchema),
  routes: compileEntity(RouteSchema),
  upstreams: compileEntity(UpstreamSchema),
  targets: compileEntity(TargetSchema),
  consumers: compileEntity(ConsumerSchema),
  keyauth_credentials: compileEntity(KeyAuthCredentialSchema),
  jwt_secrets: compileEntity(JwtSecretSchema),
  basicauth_credentials: compileEntity(BasicAuthCredentialSchema),
  acls: compileEntity(AclSchema),
  plugins: compileEntity(PluginSchema),
};

/** The first schema violation of an entity body, as `field: message`, or null when it is valid. */
export function schemaViolation(type: ResourceType, value: unknown): string | null {
  const { check, unique } = checkers[type];
  if (!check.Check(value)) return firstViolation(check, value);
  for (const field of unique) {
    const list = (value as Record<string, unknown>)[field];
    if (Array.isArray(list) && hasDuplicate(list)) return `${field}: Expected array elements to be unique`;
  }
  return null;
}

/** Sets are mostly a handful of scalars: a pairwise scan, and a Set past that. */
function hasDuplicate(list: readonly unknown[]): boolean {
  if (list.length > 16) return new Set(list).size !== list.length;
  for (let i = 1; i < list.length; i++) for (let j = 0; j < i; j++) if (list[i] === list[j]) return true;
  return false;
}

/** Same, for any compiled checker (plugin configs). */
export function firstViolation(checker: TypeCheck<TSchema>, value: unknown): string | null {
  if (checker.Check(value)) return null;
  for (const first of checker.Errors(value)) {
    const e = deepest(first);
    const field = e.path.replace(/^\//, '').replaceAll('/', '.') || '(body)';
    return `${field}: ${e.message}`;
  }
  return 'invalid';
}

/** "Expected union value" says little (every nullable field is a union): report the deepest variant error. */
function deepest(e: ValueError): ValueError {
  let best = e;
  for (const variant of e.errors ?? []) {
    for (const inner of variant) {
      const d = deepest(inner);
      if (d.path.length > best.path.length) best = d;
    }
  }
  return best;
}
