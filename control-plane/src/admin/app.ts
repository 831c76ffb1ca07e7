// The admin API: one Fastify app, the generated entity endpoints, a few
// special ones, one error mapper. Options are checked here, once; the request
// path only runs the compiled validators and the store.
import Fastify, { type FastifyInstance } from 'fastify';
import { PLUGIN_SCHEMAS, silentLogger, type Logger, type PluginRegistry } from '@portico/shared';
import type { ClusterView } from '../cluster/types.js';
import type { Store } from '../store/store.js';
import { installAuth } from './auth.js';
import { installBodyParsers } from './body.js';
import { configPlugin } from './config-plugin.js';
import { registerEntityEndpoints } from './entity-endpoints.js';
import { adminKinds, createEntityOps } from './entity-kinds.js';
import { installErrorMapper } from './error-mapper.js';
import { healthPlugin } from './health-plugin.js';
import { metaPlugin } from './meta-plugin.js';
import { installCounters, nodePlugin } from './node-plugin.js';
import { tagsPlugin } from './tags-plugin.js';

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
  /** The plugins `plugins.config` is validated against (default: this build's PLUGIN_SCHEMAS). */
  plugins?: PluginRegistry;
}

export function buildAdminApp(opts: AdminAppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 1024 * 1024, return503OnClosing: false });
  installErrorMapper(app, opts.log ?? silentLogger);
  installBodyParsers(app);
  const counters = installCounters(app);
  if (opts.adminToken !== undefined) installAuth(app, opts.adminToken);

  const plugins = opts.plugins ?? PLUGIN_SCHEMAS;
  const ops = createEntityOps(opts.store, plugins);
  void app.register(nodePlugin, {
    store: opts.store,
    cluster: opts.cluster,
    nodeId: opts.nodeId,
    version: opts.version,
    configuration: opts.configuration ?? {},
    counters,
  });
  void app.register(async (scope) => registerEntityEndpoints(scope, adminKinds(ops)));
  void app.register(metaPlugin, { plugins, upstreams: ops.upstreams, targets: ops.targets });
  void app.register(tagsPlugin, { store: opts.store });
  void app.register(configPlugin, { store: opts.store });
  void app.register(healthPlugin, { upstreams: ops.upstreams, targets: ops.targets, cluster: opts.cluster, nodeId: opts.nodeId });
  return app;
}
