// /services and /services/{id|name}: Kong's collection and entity endpoints.
import type { FastifyPluginAsync } from 'fastify';
import { serviceValidator } from '@portico/shared';
import { entityInput } from './body.js';
import { endpoint, written } from './endpoint.js';
import type { EntityOps } from './entity-ops.js';
import { notFound } from './errors.js';
import { pageBody, parseListQuery } from './list-query.js';

type Params = { service: string };

export const servicesPlugin: FastifyPluginAsync<{ services: EntityOps }> = async (app, { services }) => {
  endpoint(app, '/services', {
    GET: async (req) => {
      const { options, carry } = parseListQuery(req.query);
      return pageBody(services.list(options), '/services', carry);
    },
    POST: async (req, reply) => {
      const { entity, version } = services.insert(entityInput(req, serviceValidator));
      return written(reply, 201, version, entity);
    },
  });

  endpoint(app, '/services/:service', {
    GET: async (req) => {
      const found = services.find((req.params as Params).service);
      if (!found) throw notFound();
      return found;
    },
    PUT: async (req, reply) => {
      const { entity, version } = services.upsert((req.params as Params).service, entityInput(req, serviceValidator));
      return written(reply, 200, version, entity);
    },
    PATCH: async (req, reply) => {
      const found = services.find((req.params as Params).service);
      if (!found) throw notFound();
      const { entity, version } = services.update(found, entityInput(req, serviceValidator));
      return written(reply, 200, version, entity);
    },
    DELETE: async (req, reply) => {
      const found = services.find((req.params as Params).service);
      // Kong answers 204 whether or not the entity existed.
      return written(reply, 204, found ? services.remove(found.id) : services.version());
    },
  });
};
