// Kong's DAO semantics for one entity type over the store: look-ups by id or
// endpoint key, insert / upsert / update / delete, each validated by the
// shared entity validator. Every operation exists twice: `…In(tx, …)` runs
// inside a caller's transaction (the declarative loader composes many), and the
// plain form commits one versioned write. Store failures become Kong's errors
// here, where the entity is known.
import { isPorticoError, isUuid, type EntityValidator, type ResourceType } from '@portico/shared';
import { StoreErrors } from '../store/errors.js';
import type { EntityBody, ListOptions, Page, Store, WriteTx } from '../store/store.js';
import { ENTITY_TABLES, type EntityTable } from '../store/tables.js';
import { foreignKeyUnresolved, foreignKeyViolation, primaryKeyViolation, referencedBy, schemaViolation, uniqueViolation } from './errors.js';

type Body = Record<string, unknown>;

/** What look-ups need: the store itself, or a transaction's view of it. */
export type Reader = Pick<WriteTx, 'get' | 'findBy'>;

/** The parent an entity is looked up under (`/consumers/{c}/acls/{group}`). */
export interface Scope {
  field: string;
  id: string;
}

export interface Written {
  entity: EntityBody;
  /** Config version after the write. */
  version: number;
}

/** Per-type behaviour beyond the validator. */
export interface EntityHooks {
  /**
   * The field that names an entity only within its parent (targets' `target`
   * in an upstream, acls' `group` in a consumer), and how a key is normalized.
   */
  scopedKey?: { field: string; parent: string; normalize?: (key: string) => string };
  /** Admin-only input fields the entity does not store (certificates' `snis`). */
  extract?: readonly string[];
  /** Adjusts a validated entity given the raw input and the stored one (basic-auth hashing). */
  finish?(entity: EntityBody, ctx: { input: Body; existing: EntityBody | undefined }): void;
  /** Further writes in the same transaction, with the extracted fields (certificates' snis). */
  afterWrite?(tx: WriteTx, entity: EntityBody, extracted: Body, existing: EntityBody | undefined): void;
  /** A non-id key that is not the endpoint key (certificates by SNI name). */
  lookup?(key: string, reader: Reader): EntityBody | undefined;
  /** What responses show (certificates add their `snis`). */
  render?(entity: EntityBody, reader: Reader): EntityBody;
}

const nowS = () => Math.floor(Date.now() / 1000);
const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

export class EntityOps {
  readonly type: ResourceType;
  readonly table: EntityTable;

  constructor(
    readonly store: Store,
    readonly validator: EntityValidator<unknown>,
    type: ResourceType,
    readonly hooks: EntityHooks = {},
  ) {
    this.type = type;
    this.table = ENTITY_TABLES[type];
  }

  /**
   * By id when `key` is a UUID, else by the endpoint key, as Kong's endpoints
   * do. With a scope, the entity must belong to that parent; a scoped key
   * (targets, acls) only resolves within a scope.
   */
  find(key: string, scope?: Scope, reader: Reader = this.store): EntityBody | undefined {
    const found = this.lookup(key, scope, reader);
    if (found && scope && parentId(found, scope.field) !== scope.id) return undefined;
    return found;
  }

  private lookup(key: string, scope: Scope | undefined, reader: Reader): EntityBody | undefined {
    if (isUuid(key)) return reader.get(this.type, key);
    const scoped = this.hooks.scopedKey;
    if (scoped) {
      if (!scope) return undefined;
      const wanted = scoped.normalize ? scoped.normalize(key) : key;
      return this.all({ column: `${scope.field}_id`, value: scope.id }).find((e) => e[scoped.field] === wanted);
    }
    if (this.table.endpointKey) {
      const found = reader.findBy(this.type, this.table.endpointKey, key);
      if (found) return found;
    }
    return this.hooks.lookup?.(key, reader);
  }

  /** Every entity under one parent (for scoped keys and cascades shown in responses). */
  all(where: { column: string; value: string }): EntityBody[] {
    const out: EntityBody[] = [];
    let offset: string | undefined;
    do {
      const page = this.store.list(this.type, { size: 1000, offset, where });
      out.push(...page.data);
      offset = page.offset ?? undefined;
    } while (offset !== undefined);
    return out;
  }

  /** The current config version (for responses to writes that changed nothing). */
  version(): number {
    return this.store.version();
  }

  list(options: ListOptions): Page {
    return this.store.list(this.type, options);
  }

  render(entity: EntityBody): EntityBody {
    return this.hooks.render ? this.hooks.render(entity, this.store) : entity;
  }

  /**
   * Turns a Kong-style input body into the entity to store, without writing:
   * foreign keys given by endpoint key resolved, defaults filled, validated,
   * finished (hashes). `existing` makes it a replacement of that entity.
   */
  build(input: Body, reader: Reader = this.store, existing?: EntityBody): { entity: EntityBody; extracted: Body } {
    const { body, extracted } = this.split(input);
    const resolved = this.resolveForeign(this.validator.expand(body).input, reader);
    const now = nowS();
    if (existing) {
      resolved['id'] = existing.id;
      resolved['created_at'] = existing.created_at ?? now;
      if ('updated_at' in existing) resolved['updated_at'] = now;
    }
    const entity = this.validate(resolved, now);
    this.hooks.finish?.(entity, { input: body, existing });
    return { entity, extracted };
  }

  insertIn(tx: WriteTx, input: Body): EntityBody {
    const { entity, extracted } = this.build(input, tx);
    this.guard(entity, () => tx.insert(this.type, entity));
    this.hooks.afterWrite?.(tx, entity, extracted, undefined);
    return entity;
  }

  /** PUT: create or replace the entity `key` names; a non-id key sets the endpoint key field. */
  upsertIn(tx: WriteTx, key: string, input: Body, scope?: Scope): EntityBody {
    const body = { ...input };
    const existing = this.find(key, scope, tx);
    if (isUuid(key)) body['id'] = key;
    else {
      const keyField = this.hooks.scopedKey?.field ?? this.table.endpointKey;
      if (keyField) body[keyField] = key;
    }
    const { entity, extracted } = this.build(body, tx, existing);
    this.guard(entity, () => (existing ? tx.update(this.type, entity) : tx.insert(this.type, entity)));
    this.hooks.afterWrite?.(tx, entity, extracted, existing);
    return entity;
  }

  /** PATCH: merge into `existing` (nested records merge), then validate the whole entity. */
  updateIn(tx: WriteTx, existing: EntityBody, input: Body): EntityBody {
    const { body, extracted } = this.split(input);
    const patch = this.resolveForeign(this.validator.expand(body).input, tx);
    const merged = this.validator.merge(existing, patch);
    merged['id'] = existing.id;
    if ('updated_at' in existing) merged['updated_at'] = nowS();
    const entity = this.validate(merged, nowS());
    this.hooks.finish?.(entity, { input: body, existing });
    this.guard(entity, () => tx.update(this.type, entity));
    this.hooks.afterWrite?.(tx, entity, extracted, existing);
    return entity;
  }

  removeIn(tx: WriteTx, id: string): void {
    if (!tx.get(this.type, id)) return;
    try {
      tx.remove(this.type, id);
    } catch (err) {
      if (isPorticoError(err, StoreErrors.REFERENCED_BY_OTHERS)) throw referencedBy(this.type, String(err.detail?.['referencedBy'] ?? 'unknown'));
      throw err;
    }
  }

  insert(input: Body): Written {
    return this.commit(`create ${this.type}`, (tx) => this.insertIn(tx, input));
  }

  upsert(key: string, input: Body, scope?: Scope): Written {
    return this.commit(`upsert ${this.type}`, (tx) => this.upsertIn(tx, key, input, scope));
  }

  update(existing: EntityBody, input: Body): Written {
    return this.commit(`update ${this.type}`, (tx) => this.updateIn(tx, existing, input));
  }

  /** DELETE: the config version after the write (unchanged when nothing was deleted). */
  remove(id: string): number {
    return this.store.write(`delete ${this.type}`, (tx) => this.removeIn(tx, id)).version;
  }

  private commit(summary: string, fn: (tx: WriteTx) => EntityBody): Written {
    const { result, version } = this.store.write(summary, fn);
    return { entity: this.render(result), version };
  }

  private split(input: Body): { body: Body; extracted: Body } {
    const body = { ...input };
    const extracted: Body = {};
    for (const f of this.hooks.extract ?? []) {
      if (f in body) extracted[f] = body[f];
      delete body[f];
    }
    return { body, extracted };
  }

  private validate(body: Body, now: number): EntityBody {
    const r = this.validator.validate(body, { auto: { now } });
    if (!r.ok) throw schemaViolation(r.fields);
    return r.entity as EntityBody;
  }

  /** Foreign keys given by endpoint key (`{"service": {"name": "x"}}`) become `{"id": …}`. */
  private resolveForeign(body: Body, reader: Reader): Body {
    for (const fk of this.table.foreign) {
      const ref = body[fk.field];
      if (!isObject(ref) || ref['id'] !== undefined) continue;
      const keyName = ENTITY_TABLES[fk.references].endpointKey;
      if (!keyName || typeof ref[keyName] !== 'string' || Object.keys(ref).length !== 1) continue;
      const found = reader.findBy(fk.references, keyName, ref[keyName]);
      if (!found) throw foreignKeyUnresolved(fk.field, keyName, ref[keyName], fk.references);
      body[fk.field] = { id: found.id };
    }
    // References inside a field (a route's backends[].service, mirror.service).
    for (const ref of this.table.nested) {
      if (body[ref.field] === undefined || body[ref.field] === null) continue;
      const keyName = ENTITY_TABLES[ref.references].endpointKey;
      body[ref.field] = ref.mapRefs(body[ref.field], (given, at) => {
        if (!isObject(given) || given['id'] !== undefined || !keyName || typeof given[keyName] !== 'string' || Object.keys(given).length !== 1) return given;
        const found = reader.findBy(ref.references, keyName, given[keyName]);
        if (!found) throw foreignKeyUnresolved(at, keyName, given[keyName], ref.references);
        return { id: found.id };
      });
    }
    return body;
  }

  /** Runs one store write of `entity`, turning constraint failures into Kong's errors. */
  private guard(entity: EntityBody, write: () => void): void {
    try {
      write();
    } catch (err) {
      throw this.translate(err, entity);
    }
  }

  private translate(err: unknown, entity: EntityBody): unknown {
    if (isPorticoError(err, StoreErrors.FOREIGN_KEY_MISSING)) {
      return foreignKeyViolation(String(err.detail?.['field']), { id: err.detail?.['id'] }, String(err.detail?.['references']));
    }
    const sqlite = err as { code?: unknown; message?: unknown };
    if (sqlite.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return primaryKeyViolation({ id: entity.id });
    if (sqlite.code !== 'SQLITE_CONSTRAINT_UNIQUE') return err;
    const message = String(sqlite.message);
    // Kong names the violated key by its fields; the plugin scope is its cache key.
    if (message.includes("'plugins_scope'")) {
      return uniqueViolation({ name: entity['name'], route: entity['route'], service: entity['service'], consumer: entity['consumer'] });
    }
    const columns = [...message.matchAll(/\w+\.("?)(\w+)\1/g)].map((m) => m[2] ?? '');
    if (columns.includes('id') && columns.length === 1) return primaryKeyViolation({ id: entity.id });
    const key: Body = {};
    for (const column of columns) {
      const fk = this.table.foreign.find((f) => f.column === column);
      key[fk ? fk.field : column] = fk ? entity[fk.field] : entity[column];
    }
    return uniqueViolation(key);
  }
}

function parentId(entity: EntityBody, field: string): string | undefined {
  const ref = entity[field];
  return isObject(ref) && typeof ref['id'] === 'string' ? ref['id'] : undefined;
}
