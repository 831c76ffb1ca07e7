// Renders a TypeBox (JSON Schema) entity or plugin schema in Kong's schema
// shape, as `GET /schemas/{entity}` and `GET /schemas/plugins/{name}` return
// it: `{"fields": [{"name": {"type": "string", "required": true, …}}, …]}`.
// Constraints keep Kong's names (between, len_min, one_of, elements, …).
type Json = Record<string, unknown>;
export type KongField = Record<string, unknown>;

export function kongFields(schema: unknown): { [name: string]: KongField }[] {
  const s = schema as Json;
  const props = (s['properties'] ?? {}) as Record<string, Json>;
  const required = new Set((s['required'] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, sub]) => {
    const field = kongField(sub);
    // Kong marks a field required when it cannot be null and has no default.
    if (required.has(name) && !field['nullable'] && field['default'] === undefined) field['required'] = true;
    delete field['nullable'];
    return { [name]: field };
  });
}

function kongField(schema: Json): KongField {
  const out: KongField = {};
  const anyOf = schema['anyOf'] as Json[] | undefined;
  let s = schema;
  if (anyOf) {
    const members = anyOf.filter((m) => m['type'] !== 'null');
    if (members.length !== anyOf.length) out['nullable'] = true;
    const consts = members.map((m) => m['const']);
    if (consts.every((c) => c !== undefined)) {
      Object.assign(out, { type: typeof consts[0] === 'number' ? 'integer' : 'string', one_of: consts });
      if (schema['default'] !== undefined) out['default'] = schema['default'];
      return out;
    }
    s = { ...(members[0] ?? {}), ...(schema['default'] !== undefined ? { default: schema['default'] } : {}) };
  }
  switch (s['type']) {
    case 'string':
      out['type'] = 'string';
      if (s['format'] === 'uuid') out['uuid'] = true;
      if (s['minLength'] !== undefined) out['len_min'] = s['minLength'];
      if (s['maxLength'] !== undefined) out['len_max'] = s['maxLength'];
      if (s['pattern'] !== undefined) out['match'] = s['pattern'];
      break;
    case 'integer':
    case 'number':
      out['type'] = s['type'];
      if (s['minimum'] !== undefined || s['maximum'] !== undefined) out['between'] = [s['minimum'] ?? null, s['maximum'] ?? null];
      break;
    case 'boolean':
      out['type'] = 'boolean';
      break;
    case 'array':
      out['type'] = s['uniqueItems'] === true ? 'set' : 'array';
      out['elements'] = stripNullable(kongField((s['items'] ?? {}) as Json));
      break;
    case 'object': {
      if (s['properties']) {
        out['type'] = 'record';
        out['fields'] = kongFields(s);
      } else {
        const pp = s['patternProperties'] as Record<string, Json> | undefined;
        const values = pp ? Object.values(pp)[0] : (s['additionalProperties'] as Json | undefined);
        Object.assign(out, { type: 'map', keys: { type: 'string' }, values: stripNullable(kongField(typeof values === 'object' && values ? values : {})) });
      }
      break;
    }
    default:
      out['type'] = 'any';
  }
  if (s['default'] !== undefined) out['default'] = s['default'];
  return out;
}

function stripNullable(f: KongField): KongField {
  delete f['nullable'];
  return f;
}
