// The admin API: one Fastify app, one plugin per entity family, one error
// mapper. Options are checked here, once; the request path only runs the
// compiled validators and the store.
import Fastify, { type FastifyInstance } from 'fastify';
import { routeValidator, serviceValidator, silentLogger, type EntityValidator, type Logger } from '@portico/shared';
import type { ClusterView } from '../cluster/types.js';
import type { Store } from '../store/store.js';
import { installAuth } from './auth.js';
import { installBodyParsers } from './body.js';
import { EntityOps } from './entity-ops.js';
import { installErrorMapper } from './error-mapper.js';
import { configPlugin } from './config-plugin.js';
import { installCounters, nodePlugin } from './node-plugin.js';
import { routesPlugin } from './routes-plugin.js';
import { servicesPlugin } from './services-plugin.js';

export interface AdminAppOptions {
  store: Store;
  cluster: ClusterView;
  nodeId: string;
  /** Portico's software version, shown by `GET /`. */
  version: string;
  /** When set, every request needs `Authorization: Bearer <token>` or `Kong-Admin-Token: <token>`. */
  adminToken?: string;
  /** Logs unexpected (500) errors by code and message; request bodies are never logged. */
  log?: Logger;
  /** Non-secret settings shown under `configuration` by `GET /`. */
  configuration?: Record<string, unknown>;
  /** Largest accepted request body, bytes (default 1 MiB). */
  bodyLimit?: number;
}

export function buildAdminApp(opts: AdminAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 1024 * 1024, return503OnClosing: false });
  installErrorMapper(app, opts.log ?? silentLogger);
  installBodyParsers(app);
  const counters = installCounters(app);
  if (opts.adminToken !== undefined) installAuth(app, opts.adminToken);

  const services = new EntityOps(opts.store, serviceValidator as EntityValidator<unknown>, 'services');
  const routes = new EntityOps(opts.store, routeValidator as EntityValidator<unknown>, 'routes');
  void app.register(nodePlugin, {
    store: opts.store,
    cluster: opts.cluster,
    nodeId: opts.nodeId,
    version: opts.version,
    configuration: opts.configuration ?? {},
    counters,
  });
  void app.register(servicesPlugin, { services });
  void app.register(routesPlugin, { services, routes });
  void app.register(configPlugin, { store: opts.store });
  return app;
}
