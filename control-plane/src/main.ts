// Wires the control plane: SQLite store → snapshot source → gRPC cluster
// server, and the admin API over the same store.
import { hostname } from 'node:os';
import { HeapRelease, PORTICO_VERSION, pinTickObjectShape, type Logger } from '@portico/shared';
import { buildAdminApp } from './admin/app.js';
import { startClusterServer } from './cluster/server.js';
import { createStoreSnapshotSource } from './snapshot/store-snapshot-source.js';
import { Store } from './store/store.js';

export interface ControlPlaneOptions {
  dbPath: string;
  adminHost: string;
  adminPort: number;
  clusterHost: string;
  clusterPort: number;
  clusterToken: string;
  /** Required by the CLI when the admin API listens beyond loopback. */
  adminToken?: string | undefined;
  log: Logger;
}

export interface RunningControlPlane {
  adminUrl: string;
  adminPort: number;
  clusterPort: number;
  store: Store;
  close(): Promise<void>;
}

export async function startControlPlane(o: ControlPlaneOptions): Promise<RunningControlPlane> {
  const log = o.log;
  // HeapRelease runs full GCs; without this, enough of them put nextTick on V8's slow path (tick-shape.ts).
  pinTickObjectShape();
  const store = Store.open(o.dbPath);
  const source = createStoreSnapshotSource(store);
  const cluster = await startClusterServer({ listen: `${o.clusterHost}:${o.clusterPort}`, token: o.clusterToken, source, log: log.child({ component: 'cluster' }) });
  const admin = buildAdminApp({
    store,
    cluster: cluster.view,
    nodeId: hostname(),
    version: PORTICO_VERSION,
    ...(o.adminToken ? { adminToken: o.adminToken } : {}),
  });
  // A large change leaves its garbage in the old generation; give it back once writes pause.
  const heap = new HeapRelease({ log: log.child({ component: 'memory' }) });
  const stopHeapRelease = store.onCommit(() => heap.poke());
  await admin.listen({ host: o.adminHost, port: o.adminPort });
  const adminPort = (admin.server.address() as import('node:net').AddressInfo).port;
  const adminUrl = `http://${o.adminHost.includes(':') ? `[${o.adminHost}]` : o.adminHost}:${adminPort}`;
  log.info({ admin: adminUrl, cluster: `${o.clusterHost}:${cluster.port}`, db: o.dbPath, config_version: store.version() }, 'control plane started');

  let closing: Promise<void> | undefined;
  return {
    adminUrl,
    adminPort,
    clusterPort: cluster.port,
    store,
    close: () =>
      (closing ??= (async () => {
        stopHeapRelease();
        heap.close();
        await admin.close();
        await cluster.close();
        store.close();
        log.info('control plane stopped');
      })()),
  };
}
