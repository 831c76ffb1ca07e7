// Kong's generated endpoints (kong/api/endpoints.lua) for every entity type,
// built from entity-kinds.ts: the collection and entity endpoints, the nested
// ones under each parent (`/consumers/{c}/key-auth/{k}`: the child must belong
// to the parent in the URL) and the foreign-entity ones (`/routes/{r}/service`:
// read, patched or upserted, never deleted). Params are named `a` and `b`
// everywhere so routes that share a prefix agree on names.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ResourceType } from '@portico/shared';
import type { EntityBody } from '../store/store.js';
import { entityInput } from './body.js';
import { endpoint, written } from './endpoint.js';
import type { AdminKind, Nesting } from './entity-kinds.js';
import type { EntityOps, Scope } from './entity-ops.js';
import { methodNotAllowed, notFound } from './errors.js';
import { pageBody, parseListQuery } from './list-query.js';

type Params = { a?: string; b?: string };
type Kinds = ReadonlyMap<ResourceType, AdminKind>;

const params = (req: FastifyRequest): Params => req.params as Params;

function mustFind(ops: EntityOps, key: string | undefined, scope?: Scope): EntityBody {
  const found = key === undefined ? undefined : ops.find(key, scope);
  if (!found) throw notFound();
  return found;
}

export function registerEntityEndpoints(app: FastifyInstance, kinds: Kinds): void {
  for (const kind of kinds.values()) {
    if (kind.collection !== null) {
      collectionEndpoints(app, kind, kind.collection);
      for (const field of kind.parentEndpoints) foreignEntityEndpoint(app, kinds, kind, kind.collection, field);
    }
    for (const nesting of kind.nested) nestedEndpoints(app, kinds, kind, nesting);
  }
}

function collectionEndpoints(app: FastifyInstance, kind: AdminKind, collection: string): void {
  const { ops } = kind;
  const base = `/${collection}`;
  endpoint(app, base, {
    GET: async (req) => {
      const { options, carry } = parseListQuery(req.query);
      const page = ops.list(options);
      return pageBody({ ...page, data: page.data.map((e) => ops.render(e)) }, base, carry);
    },
    ...(kind.collectionPost && {
      POST: async (req, reply) => {
        const { entity, version } = ops.insert(entityInput(req, ops.validator));
        return written(reply, 201, version, entity);
      },
    }),
  });

  endpoint(app, `${base}/:a`, {
    GET: async (req) => ops.render(mustFind(ops, params(req).a)),
    PUT: async (req, reply) => {
      const { entity, version } = ops.upsert(params(req).a ?? '', entityInput(req, ops.validator));
      return written(reply, 200, version, entity);
    },
    PATCH: async (req, reply) => {
      const found = mustFind(ops, params(req).a);
      const { entity, version } = ops.update(found, entityInput(req, ops.validator, found));
      return written(reply, 200, version, entity);
    },
    DELETE: async (req, reply) => {
      const found = ops.find(params(req).a ?? '');
      // Kong answers 204 whether or not the entity existed.
      return written(reply, 204, found ? ops.remove(found.id) : ops.version());
    },
  });
}

/** `/{collection}/{key}/{field}`: the entity a foreign key points at. */
function foreignEntityEndpoint(app: FastifyInstance, kinds: Kinds, kind: AdminKind, collection: string, field: string): void {
  const { ops } = kind;
  const fk = ops.table.foreign.find((f) => f.field === field);
  const parentKind = fk ? kinds.get(fk.references) : undefined;
  if (!fk || !parentKind) throw new Error(`${ops.type}.${field} is not a foreign key to a served entity`);
  const parentOps = parentKind.ops;
  const parentIdOf = (child: EntityBody) => (child[field] as { id?: string } | null)?.id;
  const resolve = (req: FastifyRequest) => {
    const child = mustFind(ops, params(req).a);
    const id = parentIdOf(child);
    if (id === undefined) throw notFound();
    return { child, parent: mustFind(parentOps, id) };
  };

  endpoint(app, `/${collection}/:a/${field}`, {
    GET: async (req) => parentOps.render(resolve(req).parent),
    PATCH: async (req, reply) => {
      const { parent } = resolve(req);
      const { entity, version } = parentOps.update(parent, entityInput(req, parentOps.validator, parent));
      return written(reply, 200, version, entity);
    },
    PUT: async (req, reply) => {
      const child = mustFind(ops, params(req).a);
      const id = parentIdOf(child);
      const input = entityInput(req, parentOps.validator);
      if (id !== undefined) {
        const { entity, version } = parentOps.upsert(id, input);
        return written(reply, 200, version, entity);
      }
      // No parent yet: create one and point the child at it, in one write.
      const { result, version } = ops.store.write(`create ${parentOps.type} for ${ops.type}`, (tx) => {
        const created = parentOps.insertIn(tx, input);
        ops.updateIn(tx, child, { [field]: { id: created.id } });
        return created;
      });
      return written(reply, 200, version, parentOps.render(result));
    },
    DELETE: async (req) => {
      resolve(req);
      throw methodNotAllowed();
    },
  });
}

/** `/{parents}/{p}/{segment}` and `/{parents}/{p}/{segment}/{key}`. */
function nestedEndpoints(app: FastifyInstance, kinds: Kinds, kind: AdminKind, nesting: Nesting): void {
  const { ops } = kind;
  const parentKind = kinds.get(nesting.parent);
  if (!parentKind?.collection) throw new Error(`${ops.type} nests under ${nesting.parent}, which has no collection`);
  const parentOps = parentKind.ops;
  const base = `/${parentKind.collection}/:a/${nesting.segment}`;
  const parentOf = (req: FastifyRequest) => mustFind(parentOps, params(req).a);
  const scopeOf = (parent: EntityBody): Scope => ({ field: nesting.field, id: parent.id });
  const owned = (req: FastifyRequest) => {
    const parent = parentOf(req);
    return { parent, child: mustFind(ops, params(req).b, scopeOf(parent)) };
  };

  endpoint(app, base, {
    GET: async (req) => {
      const parent = parentOf(req);
      const { options, carry } = parseListQuery(req.query);
      options.where = { column: `${nesting.field}_id`, value: parent.id };
      const page = ops.list(options);
      const path = `/${parentKind.collection}/${encodeURIComponent(parent.id)}/${nesting.segment}`;
      return pageBody({ ...page, data: page.data.map((e) => ops.render(e)) }, path, carry);
    },
    POST: async (req, reply) => {
      const parent = parentOf(req);
      const input = { ...entityInput(req, ops.validator), [nesting.field]: { id: parent.id } };
      const { entity, version } = ops.insert(input);
      return written(reply, 201, version, entity);
    },
  });

  endpoint(app, `${base}/:b`, {
    GET: async (req) => ops.render(owned(req).child),
    PUT: async (req, reply) => {
      const parent = parentOf(req);
      const input = { ...entityInput(req, ops.validator), [nesting.field]: { id: parent.id } };
      const { entity, version } = ops.upsert(params(req).b ?? '', input, scopeOf(parent));
      return written(reply, 200, version, entity);
    },
    PATCH: async (req, reply) => {
      const { parent, child } = owned(req);
      const input = entityInput(req, ops.validator, child);
      if (input[nesting.field] === undefined) input[nesting.field] = { id: parent.id };
      const { entity, version } = ops.update(child, input);
      return written(reply, 200, version, entity);
    },
    DELETE: async (req, reply) => {
      const { child } = owned(req);
      return written(reply, 204, ops.remove(child.id));
    },
  });
}
