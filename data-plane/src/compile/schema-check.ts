// Entity schemas compiled once at module load, so a snapshot's bodies are
// checked by generated code, not by walking the schema per resource.
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
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

const checkers: Readonly<Record<ResourceType, TypeCheck<TSchema>>> = {
  certificates: TypeCompiler.Compile(CertificateSchema),
  snis: TypeCompiler.Compile(SniSchema),
  services: TypeCompiler.Compile(ServiceSchema),
  routes: TypeCompiler.Compile(RouteSchema),
  upstreams: TypeCompiler.Compile(UpstreamSchema),
  targets: TypeCompiler.Compile(TargetSchema),
  consumers: TypeCompiler.Compile(ConsumerSchema),
  keyauth_credentials: TypeCompiler.Compile(KeyAuthCredentialSchema),
  jwt_secrets: TypeCompiler.Compile(JwtSecretSchema),
  basicauth_credentials: TypeCompiler.Compile(BasicAuthCredentialSchema),
  acls: TypeCompiler.Compile(AclSchema),
  plugins: TypeCompiler.Compile(PluginSchema),
};

/** The first schema violation of an entity body, as `field: message`, or null when it is valid. */
export function schemaViolation(type: ResourceType, value: unknown): string | null {
  return firstViolation(checkers[type], value);
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
