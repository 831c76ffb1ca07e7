// Reading the config history: which versions exist, what each one changed.
// The store writes a change-set row for every row-write (see Store.write);
// here those rows are collapsed per entity, so a row written twice in one
// version shows as one change, and a row whose net change is nothing is
// dropped.
import type { Database } from 'better-sqlite3';
import type { ResourceType } from '@portico/shared';
import type { EntityBody } from './store.js';

export type ChangeAction = 'created' | 'updated' | 'deleted';

export interface ChangeCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface EntityChange {
  type: ResourceType;
  id: string;
  action: ChangeAction;
  /** The body before the version (null for a create). */
  before: EntityBody | null;
  /** The body after the version (null for a delete). */
  after: EntityBody | null;
}

export interface VersionSummary {
  version: number;
  /** Seconds since the epoch. */
  created_at: number;
  summary: string;
  /** Null for versions committed before change history was recorded. */
  changes: ChangeCounts | null;
}

export interface VersionDetail extends VersionSummary {
  entities: EntityChange[] | null;
}

export interface VersionPage {
  data: VersionSummary[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: number | null;
}

interface HistoryRow {
  version: number;
  type: ResourceType;
  entity_id: string;
  before: string | null;
  after: string | null;
}

interface ChangeRow {
  version: number;
  created_at: number;
  summary: string;
}

/** The version the recorded history starts after: versions ≤ this have no change set. */
export function historyStart(db: Database): number {
  return (db.prepare('SELECT version FROM config_history_start WHERE id = 1').get() as { version: number }).version;
}

/** Versions newest first, `size` per page, strictly older than `before` when given. */
export function listVersions(db: Database, size: number, before?: number): VersionPage {
  const rows = (
    before === undefined
      ? db.prepare('SELECT version, created_at, summary FROM config_changes ORDER BY version DESC LIMIT ?').all(size + 1)
      : db.prepare('SELECT version, created_at, summary FROM config_changes WHERE version < ? ORDER BY version DESC LIMIT ?').all(before, size + 1)
  ) as ChangeRow[];
  const more = rows.length > size;
  const page = more ? rows.slice(0, size) : rows;
  if (page.length === 0) return { data: [], next: null };
  const start = historyStart(db);
  const lo = page[page.length - 1]!.version;
  const hi = page[0]!.version;
  const byVersion = groupByVersion(db.prepare('SELECT version, type, entity_id, before, after FROM config_history WHERE version BETWEEN ? AND ? ORDER BY seq').all(lo, hi) as HistoryRow[]);
  return {
    data: page.map((r) => ({ ...r, changes: r.version <= start ? null : counts(collapse(byVersion.get(r.version) ?? [])) })),
    next: more ? page[page.length - 1]!.version : null,
  };
}

export function versionDetail(db: Database, version: number): VersionDetail | undefined {
  const row = db.prepare('SELECT version, created_at, summary FROM config_changes WHERE version = ?').get(version) as ChangeRow | undefined;
  if (!row) return undefined;
  if (version <= historyStart(db)) return { ...row, changes: null, entities: null };
  const entities = collapse(db.prepare('SELECT version, type, entity_id, before, after FROM config_history WHERE version = ? ORDER BY seq').all(version) as HistoryRow[]);
  return { ...row, changes: counts(entities), entities };
}

/** Every row-write after `version`, newest first: the order a rollback undoes them in. */
export function writesAfter(db: Database, version: number, upTo: number): { type: ResourceType; id: string; before: string | null }[] {
  const rows = db.prepare('SELECT type, entity_id, before FROM config_history WHERE version > ? AND version <= ? ORDER BY seq DESC').all(version, upTo) as HistoryRow[];
  return rows.map((r) => ({ type: r.type, id: r.entity_id, before: r.before }));
}

function groupByVersion(rows: HistoryRow[]): Map<number, HistoryRow[]> {
  const out = new Map<number, HistoryRow[]>();
  for (const r of rows) {
    const list = out.get(r.version);
    if (list) list.push(r);
    else out.set(r.version, [r]);
  }
  return out;
}

/** One change per entity: the body before its first write and after its last. */
export function collapse(rows: readonly HistoryRow[]): EntityChange[] {
  const net = new Map<string, { type: ResourceType; id: string; before: string | null; after: string | null }>();
  for (const r of rows) {
    const key = `${r.type}/${r.entity_id}`;
    const seen = net.get(key);
    if (seen) seen.after = r.after;
    else net.set(key, { type: r.type, id: r.entity_id, before: r.before, after: r.after });
  }
  const out: EntityChange[] = [];
  for (const c of net.values()) {
    if (c.before === c.after) continue;
    const action: ChangeAction = c.before === null ? 'created' : c.after === null ? 'deleted' : 'updated';
    out.push({ type: c.type, id: c.id, action, before: parse(c.before), after: parse(c.after) });
  }
  return out;
}

export function counts(changes: readonly EntityChange[]): ChangeCounts {
  const c: ChangeCounts = { created: 0, updated: 0, deleted: 0 };
  for (const e of changes) c[e.action]++;
  return c;
}

const parse = (body: string | null): EntityBody | null => (body === null ? null : (JSON.parse(body) as EntityBody));
