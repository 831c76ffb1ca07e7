// The single source of truth. Every write runs in one SQLite transaction that
// bumps the config version once, stamps each row it touches with that version
// and leaves a tombstone for each delete, so "what changed since version A" is
// a query (changesSince) and every committed version is a consistent config.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { PorticoError, RESOURCE_TYPES, type Resource, type ResourceRef, type ResourceType } from '@portico/shared';
import { StoreErrors } from './errors.js';
import { historyStart, listVersions, versionDetail, writesAfter, type ChangeCounts, type VersionDetail, type VersionPage } from './history.js';
import { migrate } from './migrations.js';
import { decodeOffset, encodeOffset, translateSqliteError } from './sql-helpers.js';
import { ENTITY_TABLES, type EntityTable } from './tables.js';

/** An entity as the store holds it: a plain JSON object with at least `id`. */
export type EntityBody = { id: string; created_at?: number } & Record<string, unknown>;

export interface StoredRow {
  id: string;
  version: number;
  body: string;
}

export interface ListOptions {
  /** Page size, 1..1000 (the admin layer validates). */
  size: number;
  /** Opaque token from a previous page's `offset`. */
  offset?: string | undefined;
  tags?: readonly string[] | undefined;
  /** `and` for `?tags=a,b`, `or` for `?tags=a/b`. */
  tagsMode?: 'and' | 'or';
  /** Restrict to rows whose foreign-key column equals a value (nested endpoints). */
  where?: { column: string; value: string } | undefined;
}

export interface Page {
  data: EntityBody[];
  /** Token for the next page, or null on the last page. */
  offset: string | null;
}

export interface Changes {
  updated: Resource[];
  removed: ResourceRef[];
}

/** The write side of a transaction. Only valid inside Store.write's callback. */
export interface WriteTx {
  readonly version: number;
  insert(type: ResourceType, entity: EntityBody): void;
  update(type: ResourceType, entity: EntityBody): void;
  remove(type: ResourceType, id: string): void;
  get(type: ResourceType, id: string): EntityBody | undefined;
  findBy(type: ResourceType, field: string, value: string): EntityBody | undefined;
  /**
   * Sets the row to exactly `body`, or deletes it when `body` is null, without
   * Kong's cascade rules: for callers that state every row themselves
   * (declarative apply, rollback). Foreign keys are then checked when the
   * transaction commits, so rows may be written in any order. Returns false
   * (and writes nothing) when the row already is `body`.
   */
  restore(type: ResourceType, id: string, body: EntityBody | null): boolean;
}

export interface RollbackResult {
  version: number;
  changed: boolean;
  changes: ChangeCounts;
}

// INDEXED BY: left to itself SQLite walks the primary key to skip the sort,
// reading every row (18 ms a write at 10,000 routes); a change touches a
// handful of rows, which the version index finds directly.
/** The rows of `type` written after a version (the one parameter). */
export const changedRowsSql = (type: ResourceType): string => `SELECT id, body FROM ${type} INDEXED BY ${type}_version WHERE version > ? ORDER BY id`;
/** Tombstones laid after a version. */
export const REMOVED_SINCE_SQL = 'SELECT type, id FROM tombstones INDEXED BY tombstones_version WHERE version > ? ORDER BY type, id';

export class Store {
  readonly db: Database;
  private readonly events = new EventEmitter();
  private readonly stmts = new Map<string, BetterSqlite3.Statement>();
  /** Whether the running write has deferred foreign-key checks (see WriteTx.restore). */
  private deferred = false;

  private constructor(db: Database) {
    this.db = db;
  }

  /** Opens (creating if needed) the database at `path`; ':memory:' works for tests. */
  static open(path: string): Store {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new BetterSqlite3(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return new Store(db);
  }

  close(): void {
    this.db.close();
  }

  /** true when the database answers a trivial query. */
  ping(): boolean {
    try {
      this.stmt('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  version(): number {
    return (this.stmt('SELECT version FROM config_version WHERE id = 1').get() as { version: number }).version;
  }

  /** Called after each committed write with the new config version. */
  onCommit(listener: (version: number) => void): () => void {
    this.events.on('commit', listener);
    return () => this.events.off('commit', listener);
  }

  get(type: ResourceType, id: string): EntityBody | undefined {
    const row = this.stmt(`SELECT body FROM ${type} WHERE id = ?`).get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as EntityBody) : undefined;
  }

  findBy(type: ResourceType, field: string, value: string): EntityBody | undefined {
    assertUniqueField(ENTITY_TABLES[type], field);
    const row = this.stmt(`SELECT body FROM ${type} WHERE ${quote(field)} = ?`).get(value) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as EntityBody) : undefined;
  }

  count(type: ResourceType): number {
    return (this.stmt(`SELECT count(*) AS n FROM ${type}`).get() as { n: number }).n;
  }

  /** One page of `type`, ordered by id (stable across writes, like Kong's Postgres paging). */
  list(type: ResourceType, opts: ListOptions): Page {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (opts.offset !== undefined) {
      clauses.push('id > ?');
      params.push(decodeOffset(opts.offset));
    }
    if (opts.where) {
      if (!ENTITY_TABLES[type].foreign.some((f) => f.column === opts.where!.column)) {
        throw new Error(`${type} has no foreign column ${opts.where.column}`);
      }
      clauses.push(`${opts.where.column} = ?`);
      params.push(opts.where.value);
    }
    if (opts.tags && opts.tags.length > 0) {
      const one = `EXISTS (SELECT 1 FROM json_each(body, '$.tags') WHERE value = ?)`;
      clauses.push(`(${opts.tags.map(() => one).join(opts.tagsMode === 'or' ? ' OR ' : ' AND ')})`);
      params.push(...opts.tags);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.db.prepare(`SELECT id, body FROM ${type} ${where} ORDER BY id LIMIT ?`).all(...params, opts.size + 1) as StoredRow[];
    const more = rows.length > opts.size;
    const page = more ? rows.slice(0, opts.size) : rows;
    return {
      data: page.map((r) => JSON.parse(r.body) as EntityBody),
      offset: more ? encodeOffset(page[page.length - 1]!.id) : null,
    };
  }

  /** Every row of `type` as stored text, for snapshot building. */
  all(type: ResourceType): StoredRow[] {
    return this.stmt(`SELECT id, version, body FROM ${type} ORDER BY id`).all() as StoredRow[];
  }

  /** Every resource of every type, in dependency order. */
  allResources(): Resource[] {
    const out: Resource[] = [];
    for (const type of RESOURCE_TYPES) for (const r of this.all(type)) out.push({ type, id: r.id, body: r.body });
    return out;
  }

  /**
   * What changed after version `since`: rows stamped later and tombstones laid
   * later. Read in one transaction so it is a consistent view.
   */
  changesSince(since: number): Changes & { version: number } {
    return this.db.transaction(() => {
      const updated: Resource[] = [];
      for (const type of RESOURCE_TYPES) {
        for (const r of this.stmt(changedRowsSql(type)).all(since) as StoredRow[]) {
          updated.push({ type, id: r.id, body: r.body });
        }
      }
      const removed = (this.stmt(REMOVED_SINCE_SQL).all(since) as ResourceRef[]);
      return { updated, removed, version: this.version() };
    })();
  }

  /** Ids of rows of `type` whose foreign column points at `id`. */
  referencing(type: ResourceType, column: string, id: string): string[] {
    return (this.stmt(`SELECT id FROM ${type} WHERE ${column} = ?`).all(id) as { id: string }[]).map((r) => r.id);
  }

  /** Versions ≤ this one predate the recorded change history and cannot be rolled back to. */
  historyStart(): number {
    return historyStart(this.db);
  }

  /** Committed versions, newest first; `before` (exclusive) pages to older ones. */
  versions(size: number, before?: number): VersionPage {
    return listVersions(this.db, size, before);
  }

  /** What version `version` changed, per entity; undefined for an unknown version. */
  versionDetail(version: number): VersionDetail | undefined {
    return versionDetail(this.db, version);
  }

  /**
   * Restores the config of version `target` as one new version, by undoing
   * every row-write after it, newest first: each step returns to a state that
   * existed, so every constraint holds on the way. Rolling back to the current
   * version writes nothing.
   */
  rollbackTo(target: number, summary = `rollback to version ${target}`): RollbackResult {
    const current = this.version();
    const start = this.historyStart();
    if (!Number.isInteger(target) || target < start || target > current) {
      const range = start === current ? `only version ${current} can be restored` : `restorable versions are ${start} to ${current}`;
      throw new PorticoError(StoreErrors.VERSION_OUT_OF_RANGE, `version ${String(target)} cannot be restored: ${range}`, { target, start, current });
    }
    const { version, changed } = this.write(summary, (tx) => {
      for (const w of writesAfter(this.db, target, current)) tx.restore(w.type, w.id, w.before === null ? null : (JSON.parse(w.before) as EntityBody));
    });
    const none: ChangeCounts = { created: 0, updated: 0, deleted: 0 };
    return { version, changed, changes: (changed ? this.versionDetail(version)?.changes : undefined) ?? none };
  }

  /**
   * Runs `fn` in one transaction. The first write bumps the config version;
   * a callback that writes nothing leaves the version alone. Throws what `fn`
   * throws (nothing is written) or a PorticoError for constraint failures.
   */
  write<T>(summary: string, fn: (tx: WriteTx) => T): { result: T; version: number; changed: boolean } {
    let bumped = 0;
    const current = () => {
      if (bumped === 0) {
        bumped = this.version() + 1;
        this.stmt('UPDATE config_version SET version = ? WHERE id = 1').run(bumped);
        this.stmt('INSERT INTO config_changes (version, created_at, summary) VALUES (?, ?, ?)').run(bumped, Math.floor(Date.now() / 1000), summary);
      }
      return bumped;
    };
    const tx: WriteTx = {
      get version() {
        return current();
      },
      insert: (type, entity) => this.insertRow(type, entity, current()),
      update: (type, entity) => this.updateRow(type, entity, current()),
      remove: (type, id) => this.removeRow(type, id, current),
      get: (type, id) => this.get(type, id),
      findBy: (type, field, value) => this.findBy(type, field, value),
      restore: (type, id, body) => this.restoreRow(type, id, body, current),
    };
    let result: T;
    this.deferred = false;
    try {
      result = this.db.transaction(() => fn(tx))();
    } catch (err) {
      throw translateSqliteError(err);
    }
    const version = bumped === 0 ? this.version() : bumped;
    if (bumped !== 0) this.events.emit('commit', version);
    return { result, version, changed: bumped !== 0 };
  }

  private insertRow(type: ResourceType, entity: EntityBody, version: number): void {
    const table = ENTITY_TABLES[type];
    this.checkForeign(table, entity);
    const cols = ['id', ...mirrored(table), ...table.foreign.map((f) => f.column), 'created_at', 'version', 'body'];
    const values = [entity.id, ...mirroredValues(table, entity), ...foreignValues(table, entity), entity.created_at ?? Math.floor(Date.now() / 1000), version, JSON.stringify(entity)];
    this.stmt(`INSERT INTO ${type} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...values);
    this.syncNested(table, entity);
    // A re-created id is live again: its old tombstone must not tell data planes to delete it.
    this.stmt('DELETE FROM tombstones WHERE type = ? AND id = ?').run(type, entity.id);
    this.record(version, type, entity.id, null, values[values.length - 1] as string);
  }

  private updateRow(type: ResourceType, entity: EntityBody, version: number): void {
    const table = ENTITY_TABLES[type];
    this.checkForeign(table, entity);
    const cols = [...mirrored(table), ...table.foreign.map((f) => f.column), 'version', 'body'];
    const before = this.bodyText(type, entity.id);
    if (before === undefined) throw new PorticoError(StoreErrors.NOT_FOUND, undefined, { type, id: entity.id });
    const after = JSON.stringify(entity);
    const values = [...mirroredValues(table, entity), ...foreignValues(table, entity), version, after];
    this.stmt(`UPDATE ${type} SET ${cols.map((c) => `${quote(c)} = ?`).join(', ')} WHERE id = ?`).run(...values, entity.id);
    this.syncNested(table, entity);
    this.record(version, type, entity.id, before, after);
  }

  private removeRow(type: ResourceType, id: string, version: () => number): void {
    if (!this.get(type, id)) throw new PorticoError(StoreErrors.NOT_FOUND, undefined, { type, id });
    // Kong's on_delete semantics, applied here rather than by SQLite so that
    // every cascaded row leaves a tombstone the data planes will see.
    for (const child of Object.values(ENTITY_TABLES)) {
      for (const fk of child.foreign) {
        if (fk.references !== type) continue;
        const ids = this.referencing(child.type, fk.column, id);
        if (ids.length === 0) continue;
        if (fk.onDelete === 'restrict') {
          throw new PorticoError(StoreErrors.REFERENCED_BY_OTHERS, `an existing '${child.type}' entity references this '${type}' entity`, { referencedBy: child.type });
        }
        for (const childId of ids) {
          if (fk.onDelete === 'cascade') this.removeRow(child.type, childId, version);
          else this.updateRow(child.type, { ...this.get(child.type, childId)!, [fk.field]: null }, version());
        }
      }
    }
    // Services named inside another entity's body (a route's backends or
    // mirror) restrict, as a plain foreign key without on_delete does.
    for (const owner of Object.values(ENTITY_TABLES)) {
      for (const ref of owner.nested) {
        if (ref.references !== type) continue;
        if (this.stmt(`SELECT 1 FROM ${ref.joinTable} WHERE ref_id = ? LIMIT 1`).get(id) !== undefined) {
          throw new PorticoError(StoreErrors.REFERENCED_BY_OTHERS, `an existing '${owner.type}' entity references this '${type}' entity`, { referencedBy: owner.type, field: ref.field });
        }
      }
    }
    this.deleteRow(type, id, version());
  }

  /** Deletes one row, leaving a tombstone and its change-set entry. */
  private deleteRow(type: ResourceType, id: string, version: number): void {
    const before = this.bodyText(type, id);
    if (before === undefined) throw new PorticoError(StoreErrors.NOT_FOUND, undefined, { type, id });
    for (const joinTable of new Set(ENTITY_TABLES[type].nested.map((n) => n.joinTable))) this.stmt(`DELETE FROM ${joinTable} WHERE owner_id = ?`).run(id);
    this.stmt(`DELETE FROM ${type} WHERE id = ?`).run(id);
    this.stmt('INSERT INTO tombstones (type, id, version) VALUES (?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET version = excluded.version').run(type, id, version);
    this.record(version, type, id, before, null);
  }

  private restoreRow(type: ResourceType, id: string, body: EntityBody | null, version: () => number): boolean {
    const current = this.bodyText(type, id);
    if (body === null ? current === undefined : current === JSON.stringify(body)) return false;
    if (!this.deferred) {
      // Lasts until this transaction ends (SQLite resets it on commit/rollback).
      this.db.pragma('defer_foreign_keys = ON');
      this.deferred = true;
    }
    if (body === null) this.deleteRow(type, id, version());
    else if (current === undefined) this.insertRow(type, { ...body, id }, version());
    else this.updateRow(type, { ...body, id }, version());
    return true;
  }

  private record(version: number, type: ResourceType, id: string, before: string | null, after: string | null): void {
    this.stmt('INSERT INTO config_history (version, type, entity_id, before, after) VALUES (?, ?, ?, ?, ?)').run(version, type, id, before, after);
  }

  private bodyText(type: ResourceType, id: string): string | undefined {
    return (this.stmt(`SELECT body FROM ${type} WHERE id = ?`).get(id) as { body: string } | undefined)?.body;
  }

  private checkForeign(table: EntityTable, entity: EntityBody): void {
    for (const fk of table.foreign) {
      const ref = entity[fk.field] as { id?: string } | null | undefined;
      if (ref?.id !== undefined && !this.get(fk.references, ref.id)) {
        throw new PorticoError(StoreErrors.FOREIGN_KEY_MISSING, undefined, { field: fk.field, references: fk.references, id: ref.id });
      }
    }
    for (const ref of table.nested) {
      for (const id of ref.ids(entity)) {
        if (!this.get(ref.references, id)) throw new PorticoError(StoreErrors.FOREIGN_KEY_MISSING, undefined, { field: ref.field, references: ref.references, id });
      }
    }
  }

  /** Rewrites the join-table rows of `entity`'s nested references (same transaction as the row). */
  private syncNested(table: EntityTable, entity: EntityBody): void {
    if (table.nested.length === 0) return;
    for (const joinTable of new Set(table.nested.map((n) => n.joinTable))) this.stmt(`DELETE FROM ${joinTable} WHERE owner_id = ?`).run(entity.id);
    for (const ref of table.nested) {
      for (const id of new Set(ref.ids(entity))) this.stmt(`INSERT INTO ${ref.joinTable} (owner_id, field, ref_id) VALUES (?, ?, ?)`).run(entity.id, ref.field, id);
    }
  }

  private stmt(sql: string): BetterSqlite3.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }
}

/** Body fields that also live in their own column (unique ones first). */
function mirrored(table: EntityTable): string[] {
  return [...table.unique, ...table.columns];
}

function mirroredValues(table: EntityTable, entity: EntityBody): unknown[] {
  return mirrored(table).map((f) => (entity[f] === undefined ? null : entity[f]));
}

/** Column names are SQL identifiers; some of Kong's field names (`group`) are keywords. */
const quote = (column: string): string => `"${column}"`;

function foreignValues(table: EntityTable, entity: EntityBody): unknown[] {
  return table.foreign.map((f) => (entity[f.field] as { id?: string } | null | undefined)?.id ?? null);
}

function assertUniqueField(table: EntityTable, field: string): void {
  if (field !== 'id' && !table.unique.includes(field)) throw new Error(`${table.type}.${field} is not a unique column`);
}
