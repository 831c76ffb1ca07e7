// Kong's routes entity beyond field types: the per-protocol subschemas
// (kong/db/schema/entities/routes_subschemas.lua) and the `snis` conditional
// (routes.lua), traditional router flavour.
import type { FieldErrors } from './kong-format.js';
import type { Body } from './entity-validator.js';

const nonEmpty = (v: unknown): boolean =>
  v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

const SNI_PROTOCOLS = new Set(['grpcs', 'https', 'tls', 'tls_passthrough', 'wss']);
const SUBSETS = [['http', 'https'], ['tcp', 'tls', 'udp'], ['tls_passthrough'], ['grpc', 'grpcs'], ['ws', 'wss']] as const;

function atLeastOne(entity: Body, names: readonly string[], err: (list: string) => string): string | undefined {
  return names.some((n) => nonEmpty(entity[n])) ? undefined : err(quoted(names));
}

export function routeEntityChecks(entity: Body, input: Body): FieldErrors | undefined {
  const protocols = new Set(entity['protocols'] as string[]);
  const errors: FieldErrors = {};
  const entityErrors: string[] = [];

  // Kong's mutually_exclusive_subsets on `protocols`.
  const used = SUBSETS.filter((set) => set.some((p) => protocols.has(p)));
  if (used.length > 1) {
    errors['protocols'] = `these sets are mutually exclusive: ${used.map((s) => `(${quoted(s)})`).join(', ')}`;
    return errors;
  }

  if (protocols.has('https') || protocols.has('http')) {
    for (const f of ['sources', 'destinations']) if (nonEmpty(entity[f])) errors[f] = `cannot set '${f}' when 'protocols' is 'http' or 'https'`;
    const e = protocols.has('https')
      ? atLeastOne(entity, ['methods', 'hosts', 'headers', 'paths', 'snis'], (l) => `must set one of ${l} when 'protocols' is 'https'`)
      : atLeastOne(entity, ['methods', 'hosts', 'headers', 'paths'], (l) => `must set one of ${l} when 'protocols' is 'http'`);
    if (e) entityErrors.push(e);
  } else if (protocols.has('grpc') || protocols.has('grpcs')) {
    // The grpc subschema defaults strip_path to false and refuses true.
    if (input['strip_path'] === undefined) entity['strip_path'] = false;
    else if (entity['strip_path'] === true) errors['strip_path'] = "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'";
    if (nonEmpty(entity['methods'])) errors['methods'] = "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'";
    const e = protocols.has('grpcs')
      ? atLeastOne(entity, ['hosts', 'headers', 'paths', 'snis'], (l) => `must set one of ${l} when 'protocols' is 'grpcs'`)
      : atLeastOne(entity, ['hosts', 'headers', 'paths'], (l) => `must set one of ${l} when 'protocols' is 'grpc'`);
    if (e) entityErrors.push(e);
  } else if (protocols.has('tcp') || protocols.has('tls') || protocols.has('udp') || protocols.has('tls_passthrough')) {
    const streamOnly = "when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'";
    for (const f of ['methods', 'hosts', 'paths', 'headers']) if (nonEmpty(entity[f])) errors[f] = `cannot set '${f}' ${streamOnly}`;
    const e = protocols.has('tls_passthrough')
      ? nonEmpty(entity['snis']) ? undefined : "must set snis when 'protocols' is 'tls_passthrough'"
      : atLeastOne(entity, ['sources', 'destinations', 'snis'], (l) => `must set one of ${l} when 'protocols' is 'tcp', 'tls' or 'udp'`);
    if (e) entityErrors.push(e);
  }

  if (nonEmpty(entity['snis']) && ![...protocols].some((p) => SNI_PROTOCOLS.has(p))) {
    entityErrors.push("'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls', 'tls_passthrough', or 'wss'");
  }
  if (entityErrors.length > 0) errors['@entity'] = entityErrors;
  return Object.keys(errors).length > 0 ? errors : undefined;
}

