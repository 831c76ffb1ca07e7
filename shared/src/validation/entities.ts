// The validators for each entity type, compiled once when this module loads.
import { RouteSchema, type Route } from '../entities/route.js';
import { ServiceSchema, type Service } from '../entities/service.js';
import { createEntityValidator, type Body, type EntityValidator } from './entity-validator.js';
import { checkHost, checkName, checkPath, checkRouteHeaderName, checkRouterPath, checkSni, checkTag, checkWildcardHost } from './field-checks.js';
import { routeEntityChecks } from './route-rules.js';
import { expandServiceUrl, serviceEntityChecks } from './service-rules.js';

export const serviceValidator: EntityValidator<Service> = createEntityValidator<Service>({
  name: 'services',
  schema: ServiceSchema,
  checks: { name: checkName, host: checkHost, path: checkPath, 'tags.*': checkTag },
  shorthands: expandServiceUrl,
  entityChecks: serviceEntityChecks,
});

export const routeValidator: EntityValidator<Route> = createEntityValidator<Route>({
  name: 'routes',
  schema: RouteSchema,
  checks: {
    name: checkName,
    'tags.*': checkTag,
    'hosts.*': checkWildcardHost,
    'paths.*': checkRouterPath,
    'headers.@key': checkRouteHeaderName,
    'snis.*': checkSni,
  },
  // Header names are stored as given (Kong returns them so); the data plane's
  // compile step lower-cases them for matching.
  entityChecks: (entity: Body, input: Body) => routeEntityChecks(entity, input),
});

export const ENTITY_VALIDATORS = { services: serviceValidator, routes: routeValidator } as const;
