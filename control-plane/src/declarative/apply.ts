// Declarative apply over the store: validate the whole document first, then
// one store.write that makes the database equal it. A document that matches
// the store writes nothing and bumps no version.
import { isPorticoError, RESOURCE_TYPES, type ResourceType } from '@portico/shared';
import { StoreErrors } from '../store/errors.js';
import type { EntityBody, Store } from '../store/store.js';
import { invalidConfig } from './errors.js';
import { flattenDocument, type FlattenOptions } from './flatten.js';
import { applyPlan, planApply, type Plan } from './plan.js';

export interface ApplyResult {
  plan: Plan;
  /** The config version after the apply (unchanged for a dry run or an empty plan). */
  version: number;
  changed: boolean;
}

export interface ApplyOptions {
  dryRun?: boolean;
  now?: number;
  validators?: FlattenOptions['validators'];
}

export const APPLY_SUMMARY = 'declarative config';

export function applyDocument(store: Store, doc: unknown, opts: ApplyOptions = {}): ApplyResult {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const desired = flattenDocument(doc, { now, ...(opts.validators ? { validators: opts.validators } : {}) });
  const transform = (doc as Record<string, unknown>)['_transform'] !== false;
  if (opts.dryRun) return { plan: planApply(store, desired, now, transform), version: store.version(), changed: false };
  try {
    // Planned inside the transaction, so the plan and the rows it is applied to are one view.
    const { result: plan, version, changed } = store.write(APPLY_SUMMARY, (tx) => {
      const plan = planApply(store, desired, now, transform);
      applyPlan(tx, plan);
      return plan;
    });
    return { plan, version, changed };
  } catch (err) {
    // Only an order the plan cannot express gets here (two entities swapping unique names).
    if (isPorticoError(err, StoreErrors.UNIQUE_VIOLATION)) {
      const type = String(err.detail?.['type'] ?? 'entities');
      throw invalidConfig({ [type]: `could not apply: the document moves a unique '${String(err.detail?.['field'])}' between entities; apply it in two steps` });
    }
    throw err;
  }
}

/** Kong's answer to POST /config: every entity, keyed by type, then id. */
export function entitiesByType(store: Pick<Store, 'all'>): Partial<Record<ResourceType, Record<string, EntityBody>>> {
  const out: Partial<Record<ResourceType, Record<string, EntityBody>>> = {};
  for (const type of RESOURCE_TYPES) {
    const rows = store.all(type);
    if (rows.length === 0) continue;
    out[type] = Object.fromEntries(rows.map((r) => [r.id, JSON.parse(r.body) as EntityBody]));
  }
  return out;
}
