// /routes, /routes/{r}, /routes/{r}/service, /services/{s}/routes and
// /services/{s}/routes/{r}, with Kong's nested-endpoint rules
// (kong/api/endpoints.lua): a nested route must belong to the service in the
// URL, and a route's service can be read, patched or upserted but not deleted.
import type { FastifyPluginAsync } from 'fastify';
import { routeValidator, serviceValidator } from '@portico/shared';
import type { EntityBody } from '../store/store.js';
import { entityInput } from './body.js';
import { endpoint, written } from './endpoint.js';
import type { EntityOps } from './entity-ops.js';
import { methodNotAllowed, notFound } from './errors.js';
import { pageBody, parseListQuery } from './list-query.js';

type Params = { service?: string; route?: string };

const serviceIdOf = (route: EntityBody): string | undefined => (route['service'] as { id?: string } | null)?.id;

export const routesPlugin: FastifyPluginAsync<{ services: EntityOps; routes: EntityOps }> = async (app, { services, routes }) => {
  const mustFind = (ops: EntityOps, key: string | undefined): EntityBody => {
    const found = key === undefined ? undefined : ops.find(key);
    if (!found) throw notFound();
    return found;
  };
  /** The route in the URL, which must belong to the service in the URL. */
  const nestedRoute = (params: Params): { service: EntityBody; route: EntityBody } => {
    const service = mustFind(services, params.service);
    const route = mustFind(routes, params.route);
    if (serviceIdOf(route) !== service.id) throw notFound();
    return { service, route };
  };
  /** The service a route points at. */
  const routeService = (params: Params): { route: EntityBody; service: EntityBody } => {
    const route = mustFind(routes, params.route);
    const id = serviceIdOf(route);
    if (id === undefined) throw notFound();
    return { route, service: mustFind(services, id) };
  };

  endpoint(app, '/routes', {
    GET: async (req) => {
      const { options, carry } = parseListQuery(req.query);
      return pageBody(routes.list(options), '/routes', carry);
    },
    POST: async (req, reply) => {
      const { entity, version } = routes.insert(entityInput(req, routeValidator));
      return written(reply, 201, version, entity);
    },
  });

  endpoint(app, '/routes/:route', {
    GET: async (req) => mustFind(routes, (req.params as Params).route),
    PUT: async (req, reply) => {
      const { entity, version } = routes.upsert((req.params as Params).route ?? '', entityInput(req, routeValidator));
      return written(reply, 200, version, entity);
    },
    PATCH: async (req, reply) => {
      const found = mustFind(routes, (req.params as Params).route);
      const { entity, version } = routes.update(found, entityInput(req, routeValidator));
      return written(reply, 200, version, entity);
    },
    DELETE: async (req, reply) => {
      const found = routes.find((req.params as Params).route ?? '');
      return written(reply, 204, found ? routes.remove(found.id) : routes.version());
    },
  });

  endpoint(app, '/routes/:route/service', {
    GET: async (req) => routeService(req.params as Params).service,
    PATCH: async (req, reply) => {
      const { service } = routeService(req.params as Params);
      const { entity, version } = services.update(service, entityInput(req, serviceValidator));
      return written(reply, 200, version, entity);
    },
    PUT: async (req, reply) => {
      const route = mustFind(routes, (req.params as Params).route);
      const id = serviceIdOf(route);
      if (id !== undefined) {
        const { entity, version } = services.upsert(id, entityInput(req, serviceValidator));
        return written(reply, 200, version, entity);
      }
      // No service yet: create one and point the route at it (two writes, as in Kong).
      const created = services.insert(entityInput(req, serviceValidator));
      const linked = routes.update(route, { service: { id: created.entity.id } });
      return written(reply, 200, linked.version, created.entity);
    },
    DELETE: async (req) => {
      routeService(req.params as Params);
      throw methodNotAllowed();
    },
  });

  endpoint(app, '/services/:service/routes', {
    GET: async (req) => {
      const service = mustFind(services, (req.params as Params).service);
      const { options, carry } = parseListQuery(req.query);
      options.where = { column: 'service_id', value: service.id };
      return pageBody(routes.list(options), `/services/${encodeURIComponent(service.id)}/routes`, carry);
    },
    POST: async (req, reply) => {
      const service = mustFind(services, (req.params as Params).service);
      const input = { ...entityInput(req, routeValidator), service: { id: service.id } };
      const { entity, version } = routes.insert(input);
      return written(reply, 201, version, entity);
    },
  });

  endpoint(app, '/services/:service/routes/:route', {
    GET: async (req) => nestedRoute(req.params as Params).route,
    PUT: async (req, reply) => {
      const params = req.params as Params;
      const service = mustFind(services, params.service);
      const input = { ...entityInput(req, routeValidator), service: { id: service.id } };
      const { entity, version } = routes.upsert(params.route ?? '', input);
      return written(reply, 200, version, entity);
    },
    PATCH: async (req, reply) => {
      const { service, route } = nestedRoute(req.params as Params);
      const input = entityInput(req, routeValidator);
      if (input['service'] === undefined) input['service'] = { id: service.id };
      const { entity, version } = routes.update(route, input);
      return written(reply, 200, version, entity);
    },
    DELETE: async (req, reply) => {
      const { route } = nestedRoute(req.params as Params);
      return written(reply, 204, routes.remove(route.id));
    },
  });
};
