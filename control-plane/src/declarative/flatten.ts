// A declarative document → the flat list of entities it declares, every one
// validated and with an id: Kong's `flatten` (declarative_config.lua). Nested
// children get their parent's key, references by name or id resolve within
// the document, ids that are absent are derived (stable-id.ts). Nothing here
// reads or writes the store: the document alone is the desired config.
import { ENTITY_VALIDATORS, RESOURCE_TYPES, isResourceType, type EntityValidator, type FieldErrors, type ResourceType } from '@portico/shared';
import type { EntityBody } from '../store/store.js';
import { ENTITY_TABLES } from '../store/tables.js';
import { flattenFieldErrors, invalidConfig, setAt, type ErrorTree, type FlattenedError } from './errors.js';
import { isObject, nestableUnder } from './relations.js';
import { stableId } from './stable-id.js';

export const FORMAT_VERSION = '3.0';

export interface FlatEntity {
  type: ResourceType;
  id: string;
  /** Validated: every field present, defaults filled, timestamps set to `now` unless given. */
  body: EntityBody;
  /** Timestamps the document itself set (an apply keeps stored ones otherwise). */
  explicit: { created_at: boolean; updated_at: boolean };
}

type Validators = Partial<Record<ResourceType, EntityValidator<unknown>>>;

export interface FlattenOptions {
  now: number;
  /** Defaults to the shared ENTITY_VALIDATORS; a type without one is refused. */
  validators?: Validators;
}

interface RawItem {
  type: ResourceType;
  input: Record<string, unknown>;
  /** Where this item's errors go in the error tree. */
  path: (string | number)[];
  id: string;
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Flattens and validates `doc`; throws Kong's declarative error (code 14) when anything is wrong. */
export function flattenDocument(doc: unknown, opts: FlattenOptions): FlatEntity[] {
  const validators: Validators = opts.validators ?? (ENTITY_VALIDATORS as Validators);
  const tree: ErrorTree = {};
  if (!isObject(doc)) throw invalidConfig({ error: 'failed parsing declarative configuration: expected an object' });
  const fv = doc['_format_version'];
  if (fv === undefined || fv === null) tree['_format_version'] = 'required field missing';
  else if (fv !== FORMAT_VERSION) tree['_format_version'] = typeof fv === 'string' ? `expected one of: ${FORMAT_VERSION}` : 'expected a string';

  const items: RawItem[] = [];
  const collect = (type: ResourceType, list: unknown, path: (string | number)[], parent?: { field: string; id: string }): void => {
    if (!Array.isArray(list)) return setAt(tree, path, 'expected an array');
    const nestable = nestableUnder(type);
    list.forEach((raw, i) => {
      const at = [...path, i];
      if (!isObject(raw)) return setAt(tree, at, 'expected a record');
      const input: Record<string, unknown> = {};
      const children: [string, unknown][] = [];
      for (const [k, v] of Object.entries(raw)) {
        if (nestable.has(k)) children.push([k, v]);
        else input[k] = v;
      }
      const id = typeof input['id'] === 'string' ? input['id'] : stableId(type, input, parent);
      if (parent && input[parent.field] === undefined) input[parent.field] = { id: parent.id };
      items.push({ type, input: { ...input, id }, path: at, id });
      for (const [k, v] of children) {
        const n = nestable.get(k)!;
        collect(n.child, v, [...at, k], { field: n.field, id });
      }
    });
  };
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('_')) continue; // _format_version, _transform, _comment, decK's _info …
    if (!isResourceType(key)) tree[key] = 'unknown field';
    else if (!validators[key]) tree[key] = `'${key}' entities are not supported yet`;
    else collect(key, value, [key]);
  }
  if (Object.keys(tree).length > 0) throw invalidConfig(tree);

  const flattened: FlattenedError[] = [];
  const refErrors: ErrorTree = {};
  const byId = new Map<string, RawItem>();
  const byKey = new Map<string, RawItem>();
  const itemError = (item: RawItem, fields: FieldErrors) => {
    setAt(tree, item.path, fields);
    flattened.push(flatError(item, fields));
  };
  for (const item of items) {
    const table = ENTITY_TABLES[item.type];
    const idKey = `${item.type}/${item.id}`;
    if (byId.has(idKey)) itemError(item, { '@entity': [`uniqueness violation: '${item.type}' entity with primary key set to '${item.id}' already declared`] });
    byId.set(idKey, item);
    for (const field of table.unique) {
      const v = item.input[field];
      if (typeof v !== 'string') continue;
      const k = `${item.type}/${field}/${v}`;
      if (byKey.has(k) && byKey.get(k) !== item) itemError(item, { '@entity': [`uniqueness violation: '${item.type}' entity with ${field} set to '${v}' already declared`] });
      byKey.set(k, item);
    }
    const ek = table.endpointKey;
    if (ek && !table.unique.includes(ek) && typeof item.input[ek] === 'string') byKey.set(`${item.type}/${ek}/${String(item.input[ek])}`, item);
  }

  const find = (type: ResourceType, ref: string): RawItem | undefined => {
    const ek = ENTITY_TABLES[type].endpointKey;
    return (ek ? byKey.get(`${type}/${ek}/${ref}`) : undefined) ?? byId.get(`${type}/${ref}`);
  };
  /** Kong's reference error, keyed by the entity's endpoint key, else its id. */
  const referenceError = (item: RawItem, field: string, v: unknown, references: ResourceType): void => {
    const table = ENTITY_TABLES[item.type];
    const own = table.endpointKey ? item.input[table.endpointKey] : undefined;
    const at = typeof own === 'string' ? own : item.id;
    const msg = `invalid reference '${field}: ${typeof v === 'string' ? v : JSON.stringify(v)}' (no such entry in '${references}')`;
    const list = (refErrors[item.type] ??= {}) as Record<string, string[]>;
    (list[at] ??= []).push(msg);
    flattened.push(flatError(item, { '@entity': [msg] }));
  };
  for (const item of items) {
    for (const fk of ENTITY_TABLES[item.type].foreign) {
      const v = item.input[fk.field];
      if (v === undefined || v === null) continue;
      const ek = ENTITY_TABLES[fk.references].endpointKey;
      const ref = typeof v === 'string' ? v : isObject(v) && Object.keys(v).length === 1 ? (typeof v['id'] === 'string' ? v['id'] : ek && typeof v[ek] === 'string' ? v[ek] : undefined) : undefined;
      if (ref === undefined) continue; // malformed: the validator names it
      const found = find(fk.references, ref);
      if (found) {
        item.input[fk.field] = { id: found.id };
        continue;
      }
      referenceError(item, fk.field, v, fk.references);
      item.input[fk.field] = { id: ZERO_UUID };
    }
    // References inside a field (a route's backends[].service, mirror.service): by name or id, as above.
    for (const nested of ENTITY_TABLES[item.type].nested) {
      const value = item.input[nested.field];
      if (value === undefined || value === null) continue;
      const ek = ENTITY_TABLES[nested.references].endpointKey;
      item.input[nested.field] = nested.mapRefs(value, (v, at) => {
        const ref = typeof v === 'string' ? v : isObject(v) && Object.keys(v).length === 1 ? (typeof v['id'] === 'string' ? v['id'] : ek && typeof v[ek] === 'string' ? v[ek] : undefined) : undefined;
        if (ref === undefined) return v;
        const found = find(nested.references, ref);
        if (found) return { id: found.id };
        referenceError(item, at, v, nested.references);
        return { id: ZERO_UUID };
      });
    }
  }

  const out: FlatEntity[] = [];
  for (const item of items) {
    const r = validators[item.type]!.validate(item.input, { auto: { now: opts.now } });
    if (!r.ok) {
      itemError(item, r.fields);
      continue;
    }
    const body = r.entity as EntityBody;
    out.push({ type: item.type, id: body.id, body, explicit: { created_at: item.input['created_at'] !== undefined, updated_at: item.input['updated_at'] !== undefined } });
  }
  // Schema errors first, as Kong reports them before it looks at references.
  if (Object.keys(tree).length > 0) throw invalidConfig(tree, flattened.filter((f) => !isRefError(f)));
  if (Object.keys(refErrors).length > 0) throw invalidConfig(refErrors, flattened);
  const order = new Map<string, number>(RESOURCE_TYPES.map((t, i) => [t, i]));
  return out.sort((a, b) => order.get(a.type)! - order.get(b.type)!);
}

const isRefError = (f: FlattenedError) => f.errors.some((e) => e.type === 'entity' && e.message.startsWith('invalid reference'));

function flatError(item: RawItem, fields: FieldErrors): FlattenedError {
  const e: FlattenedError = { entity_type: item.type.replace(/s$/, ''), entity: item.input, errors: flattenFieldErrors(fields) };
  const name = item.input['name'];
  if (typeof name === 'string' && name !== '') e.entity_name = name;
  e.entity_id = item.id;
  const tags = item.input['tags'];
  if (Array.isArray(tags) && tags.every((t) => typeof t === 'string')) e.entity_tags = tags as string[];
  return e;
}
