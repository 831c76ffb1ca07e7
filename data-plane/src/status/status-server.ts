// The data plane's own listener (default 127.0.0.1:8100), for orchestrators
// and operators: readiness is "a config is loaded", not "the process is up",
// so a load balancer never sends traffic to a node that would answer 503.
// `GET /metrics` is the node's Prometheus scrape, as on Kong's Status API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompiledConfig } from '../compile/types.js';
import { METRICS_CONTENT_TYPE } from '../metrics/scrape.js';

export interface StatusSources {
  nodeId: string;
  softwareVersion: string;
  config: { readonly current: CompiledConfig | null; readonly applying?: number | undefined };
  cluster: () => { connected: boolean; version: number; hash: string; lastError: string | null; source: string };
  inFlight: () => number;
  /** With `--workers N`: the primary's view of its workers; ready then also needs every listening worker to have a config. */
  workers?: () => Promise<WorkersStatus>;
  /** The node's metrics in Prometheus text format (Kong's Status API `/metrics`); with workers, all of them summed. */
  metrics?: () => Promise<string>;
}

export interface WorkerStatus {
  id: number;
  pid: number;
  /** starting: forked, not serving yet; listening: serving; draining: on its way out. */
  state: 'starting' | 'listening' | 'draining';
  config_version: number | null;
  config_hash: string | null;
  /** From the worker itself; null when it did not answer in time. */
  in_flight_requests: number | null;
  requests: number | null;
  restarts: number;
}

export interface WorkersStatus {
  /** How many the node runs when healthy (--workers). */
  configured: number;
  list: WorkerStatus[];
}

export interface StatusServer {
  port: number;
  close(): Promise<void>;
}

export async function startStatusServer(host: string, port: number, src: StatusSources): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'An unexpected error occurred' });
    });
  });
  const handle = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { message: 'Method not allowed' });
    if (path === '/status' || path === '/status/ready') {
      const cfg = src.config.current;
      const cluster = src.cluster();
      const workers = src.workers ? await src.workers() : undefined;
      // A worker serves only once it has a config, so "every listening worker has one" is the node's readiness.
      const listening = workers?.list.filter((w) => w.state === 'listening') ?? [];
      const ready = cfg !== null && (workers === undefined || (listening.length > 0 && listening.every((w) => w.config_version !== null)));
      const body = {
        ready,
        node_id: src.nodeId,
        version: src.softwareVersion,
        config_version: cfg?.version ?? null,
        config_hash: cfg?.hash ?? null,
        config_source: cluster.source,
        // While a large change compiles in slices (the node keeps serving config_version meanwhile).
        config_applying: src.config.applying ?? null,
        control_plane: { connected: cluster.connected, last_error: cluster.lastError },
        routes: cfg?.routes.size ?? 0,
        services: cfg?.services.size ?? 0,
        in_flight_requests: workers ? workers.list.reduce((n, w) => n + (w.in_flight_requests ?? 0), 0) : src.inFlight(),
        ...(workers ? { workers: { configured: workers.configured, count: workers.list.length, listening: listening.length, list: workers.list } } : {}),
      };
      return send(res, ready ? 200 : 503, body);
    }
    if (path === '/status/live') return send(res, 200, { live: true });
    if (path === '/metrics' && src.metrics) {
      const text = await src.metrics();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    return send(res, 404, { message: 'Not found' });
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
