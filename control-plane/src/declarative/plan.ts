// What it takes to make the store equal a flattened document: creates,
// updates (with the fields that change) and deletes. The same plan serves a
// dry run (shown to the user) and an apply (written in one store.write), so
// the diff is computed in exactly one place. Timestamps are not content: an
// entity whose other fields are unchanged is left alone, keeping its row,
// its version stamp and its created_at.
import { RESOURCE_TYPES, type ResourceType } from '@portico/shared';
import type { EntityBody, Store, WriteTx } from '../store/store.js';
import { storedPassword } from './credentials.js';
import type { FlatEntity } from './flatten.js';
import { displayName, isSecretField, KIND, REDACTED } from './relations.js';
import { canonicalJson } from './stable-id.js';

export type PlanAction = 'create' | 'update' | 'delete';

export interface FieldChange {
  field: string;
  /** Redacted for secret fields: a diff says only that they changed. */
  old?: unknown;
  new?: unknown;
}

export interface PlannedChange {
  action: PlanAction;
  type: ResourceType;
  /** decK's noun (`service`, `key-auth`). */
  kind: string;
  id: string;
  name: string;
  /** For updates: the top-level fields that change. */
  fields?: FieldChange[];
}

export interface Plan {
  changes: PlannedChange[];
  summary: { created: number; updated: number; deleted: number };
  /** Rows to write, in a safe order: deletes, then parents before children. */
  writes: { type: ResourceType; id: string; body: EntityBody | null }[];
}

const TIMESTAMPS = new Set(['created_at', 'updated_at']);
const content = (body: Record<string, unknown>): string => canonicalJson(Object.fromEntries(Object.entries(body).filter(([k]) => !TIMESTAMPS.has(k))));

type Reader = Pick<Store, 'all'>;

/**
 * The plan that turns what `store` holds into `desired`; `now` stamps
 * updated_at of changed rows; `transform` is the document's `_transform`
 * (plaintext basic-auth passwords are hashed unless it is false).
 */
export function planApply(store: Reader, desired: readonly FlatEntity[], now: number, transform = true): Plan {
  const changes: PlannedChange[] = [];
  const writes: Plan['writes'] = [];
  const deletes: Plan['writes'] = [];
  const wanted = new Map<string, FlatEntity>(desired.map((e) => [`${e.type}/${e.id}`, e]));
  const current = new Map<string, EntityBody>();
  for (const type of RESOURCE_TYPES) for (const row of store.all(type)) current.set(`${type}/${row.id}`, JSON.parse(row.body) as EntityBody);

  // Children first, so the printed plan reads like a cascade.
  for (const type of [...RESOURCE_TYPES].reverse()) {
    for (const [key, body] of current) {
      if (!key.startsWith(`${type}/`) || wanted.has(key)) continue;
      changes.push({ action: 'delete', type, kind: KIND[type], id: body.id, name: displayName(type, body) });
      deletes.push({ type, id: body.id, body: null });
    }
  }
  for (const given of desired) {
    const existing = current.get(`${given.type}/${given.id}`);
    const e = storedPassword(given, existing, transform);
    if (!existing) {
      changes.push({ action: 'create', type: e.type, kind: KIND[e.type], id: e.id, name: displayName(e.type, e.body) });
      writes.push({ type: e.type, id: e.id, body: e.body });
      continue;
    }
    if (content(existing) === content(e.body)) continue;
    const body: EntityBody = { ...e.body };
    if (!e.explicit.created_at && existing.created_at !== undefined) body.created_at = existing.created_at;
    if ('updated_at' in body && !e.explicit.updated_at) body['updated_at'] = now;
    changes.push({ action: 'update', type: e.type, kind: KIND[e.type], id: e.id, name: displayName(e.type, e.body), fields: fieldChanges(e.type, existing, body) });
    writes.push({ type: e.type, id: e.id, body });
  }
  const summary = { created: 0, updated: 0, deleted: 0 };
  for (const c of changes) summary[c.action === 'create' ? 'created' : c.action === 'update' ? 'updated' : 'deleted']++;
  // Deletes first frees unique names a create may reuse; creates and updates
  // then run in dependency order (desired is sorted so) because a row's
  // parent must exist when it is written.
  return { changes, summary, writes: [...deletes, ...writes] };
}

/** Writes the plan inside a store transaction. */
export function applyPlan(tx: WriteTx, plan: Plan): void {
  for (const w of plan.writes) tx.restore(w.type, w.id, w.body);
}

function fieldChanges(type: ResourceType, before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (TIMESTAMPS.has(field)) continue;
    if (canonicalJson(before[field] ?? null) === canonicalJson(after[field] ?? null)) continue;
    out.push(isSecretField(type, field) ? { field, old: REDACTED, new: REDACTED } : { field, old: before[field] ?? null, new: after[field] ?? null });
  }
  return out;
}
