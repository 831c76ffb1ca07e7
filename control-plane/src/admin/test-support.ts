// Shared set-up for the admin API tests: a real in-memory store and the real
// app, driven through Fastify's inject (no sockets to leak).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ClusterView, DataPlaneStatus } from '../cluster/types.js';
import { Store } from '../store/store.js';
import { buildAdminApp, type AdminAppOptions } from './app.js';

/** A fixed cluster view: the admin API only renders what the cluster server reports. */
export function staticCluster(planes: DataPlaneStatus[] = []): ClusterView {
  return { dataPlanes: () => planes, connectedCount: () => planes.filter((p) => p.connected).length };
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
  json(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  form(method: string, url: string, body: string): Promise<LightMyRequestResponse>;
}

export async function harness(extra: Partial<AdminAppOptions> = {}, store = Store.open(':memory:')): Promise<Harness> {
  const app = buildAdminApp({ store, cluster: staticCluster(), nodeId: 'node-1', version: '0.1.0', ...extra });
  await app.ready();
  return {
    app,
    store,
    close: async () => {
      await app.close();
      store.close();
    },
    json: (method, url, body, headers = {}) =>
      app.inject({ method: method as 'GET', url, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) }),
    form: (method, url, body) => app.inject({ method: method as 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body }),
  };
}
