// Kong's DAO semantics for one entity type over the store: look-ups by id or
// endpoint key, insert / upsert / update / delete, each validated by the
// shared entity validator and committed as one versioned write. Store
// failures are turned into Kong's errors here, where the entity is known.
import { isPorticoError, isUuid, type EntityValidator, type ResourceType } from '@portico/shared';
import { StoreErrors } from '../store/errors.js';
import type { EntityBody, ListOptions, Page, Store } from '../store/store.js';
import { ENTITY_TABLES, type EntityTable } from '../store/tables.js';
import { foreignKeyUnresolved, foreignKeyViolation, primaryKeyViolation, referencedBy, schemaViolation, uniqueViolation } from './errors.js';

type Body = Record<string, unknown>;

export interface Written {
  entity: EntityBody;
  /** Config version after the write. */
  version: number;
}

const nowS = () => Math.floor(Date.now() / 1000);
const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

export class EntityOps {
  readonly type: ResourceType;
  private readonly table: EntityTable;

  constructor(
    private readonly store: Store,
    private readonly validator: EntityValidator<unknown>,
    type: ResourceType,
  ) {
    this.type = type;
    this.table = ENTITY_TABLES[type];
  }

  /** By id when `key` is a UUID, else by the endpoint key (`name`), as Kong's endpoints do. */
  find(key: string): EntityBody | undefined {
    if (isUuid(key)) return this.store.get(this.type, key);
    return this.table.endpointKey ? this.store.findBy(this.type, this.table.endpointKey, key) : undefined;
  }

  /** The current config version (for responses to writes that changed nothing). */
  version(): number {
    return this.store.version();
  }

  list(options: ListOptions): Page {
    return this.store.list(this.type, options);
  }

  insert(input: Body): Written {
    const body = this.resolveForeign(this.validator.expand(input).input);
    const entity = this.validate(body, nowS());
    return this.commit(`create ${this.type}`, entity, (tx) => tx.insert(this.type, entity));
  }

  /** PUT: create or replace the entity `key` names; a name key sets the name. */
  upsert(key: string, input: Body): Written {
    const body = this.resolveForeign(this.validator.expand(input).input);
    const existing = this.find(key);
    if (isUuid(key)) body['id'] = key;
    else {
      if (this.table.endpointKey) body[this.table.endpointKey] = key;
      if (existing) body['id'] = existing['id'];
    }
    const now = nowS();
    if (existing) {
      body['created_at'] = existing.created_at ?? now;
      body['updated_at'] = now;
    }
    const entity = this.validate(body, now);
    return this.commit(`upsert ${this.type}`, entity, (tx) => (existing ? tx.update(this.type, entity) : tx.insert(this.type, entity)));
  }

  /** PATCH: merge into `existing` (nested records merge), then validate the whole entity. */
  update(existing: EntityBody, input: Body): Written {
    const patch = this.resolveForeign(this.validator.expand(input).input);
    const merged = this.validator.merge(existing, patch);
    merged['id'] = existing.id;
    merged['updated_at'] = nowS();
    const entity = this.validate(merged, nowS());
    return this.commit(`update ${this.type}`, entity, (tx) => tx.update(this.type, entity));
  }

  /** DELETE: the config version after the write (unchanged when nothing was deleted). */
  remove(id: string): number {
    try {
      return this.store.write(`delete ${this.type}`, (tx) => {
        if (tx.get(this.type, id)) tx.remove(this.type, id);
      }).version;
    } catch (err) {
      if (isPorticoError(err, StoreErrors.REFERENCED_BY_OTHERS)) throw referencedBy(this.type, String(err.detail?.['referencedBy'] ?? 'unknown'));
      throw err;
    }
  }

  private validate(body: Body, now: number): EntityBody {
    const r = this.validator.validate(body, { auto: { now } });
    if (!r.ok) throw schemaViolation(r.fields);
    return r.entity as EntityBody;
  }

  /** Foreign keys given by endpoint key (`{"service": {"name": "x"}}`) become `{"id": …}`. */
  private resolveForeign(body: Body): Body {
    for (const fk of this.table.foreign) {
      const ref = body[fk.field];
      if (!isObject(ref) || ref['id'] !== undefined) continue;
      const parent = ENTITY_TABLES[fk.references];
      const keyName = parent.endpointKey;
      if (!keyName || typeof ref[keyName] !== 'string' || Object.keys(ref).length !== 1) continue;
      const found = this.store.findBy(fk.references, keyName, ref[keyName]);
      if (!found) throw foreignKeyUnresolved(fk.field, keyName, ref[keyName], fk.references);
      body[fk.field] = { id: found.id };
    }
    return body;
  }

  private commit(summary: string, entity: EntityBody, fn: (tx: Parameters<Parameters<Store['write']>[1]>[0]) => void): Written {
    try {
      const { version } = this.store.write(summary, fn);
      return { entity, version };
    } catch (err) {
      throw this.translate(err, entity);
    }
  }

  private translate(err: unknown, entity: EntityBody): unknown {
    if (isPorticoError(err, StoreErrors.UNIQUE_VIOLATION)) {
      const field = String(err.detail?.['field'] ?? 'id');
      return field === 'id' ? primaryKeyViolation({ id: entity.id }) : uniqueViolation({ [field]: entity[field] });
    }
    if (isPorticoError(err, StoreErrors.PRIMARY_KEY_VIOLATION)) return primaryKeyViolation({ id: entity.id });
    if (isPorticoError(err, StoreErrors.FOREIGN_KEY_MISSING)) {
      const field = String(err.detail?.['field']);
      return foreignKeyViolation(field, { id: err.detail?.['id'] }, String(err.detail?.['references']));
    }
    return err;
  }
}
