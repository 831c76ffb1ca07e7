// Node information endpoints: `GET /` and `GET /status` (Kong's shapes plus
// Portico's config version) and `GET /clustering/data-planes`.
import { hostname } from 'node:os';
import type { FastifyPluginAsync } from 'fastify';
import type { ClusterView } from '../cluster/types.js';
import type { Store } from '../store/store.js';
import { endpoint } from './endpoint.js';

export interface NodePluginOptions {
  store: Store;
  cluster: ClusterView;
  nodeId: string;
  version: string;
  /** Extra, non-secret configuration shown by `GET /`. */
  configuration: Record<string, unknown>;
  /** Kept by the app's root hooks (a plugin's own hooks would only see its own routes). */
  counters: ServerCounters;
}

export interface ServerCounters {
  accepted: number;
  active: number;
  requests: number;
}

/** Counts connections and requests for `GET /status`. */
export function installCounters(app: import('fastify').FastifyInstance): ServerCounters {
  const counters: ServerCounters = { accepted: 0, active: 0, requests: 0 };
  app.addHook('onRequest', async () => {
    counters.requests++;
  });
  app.server.on('connection', (socket) => {
    counters.accepted++;
    counters.active++;
    socket.once('close', () => counters.active--);
  });
  return counters;
}

export const nodePlugin: FastifyPluginAsync<NodePluginOptions> = async (app, opts) => {
  const counters = opts.counters;
  const host = hostname();

  endpoint(app, '/', {
    GET: async () => ({
      version: opts.version,
      node_id: opts.nodeId,
      hostname: host,
      tagline: 'Welcome to portico',
      configuration: { role: 'control_plane', database: 'sqlite', router_flavor: 'traditional', ...opts.configuration },
      portico: { config_version: opts.store.version() },
    }),
  });

  endpoint(app, '/status', {
    GET: async () => ({
      database: { reachable: opts.store.ping() },
      server: {
        connections_accepted: counters.accepted,
        connections_active: counters.active,
        connections_handled: counters.accepted,
        total_requests: counters.requests,
      },
      config_version: opts.store.version(),
      data_planes: { connected: opts.cluster.connectedCount() },
    }),
  });

  endpoint(app, '/clustering/data-planes', {
    GET: async () => ({ data: opts.cluster.dataPlanes(), next: null }),
  });
};
