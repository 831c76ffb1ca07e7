// The data plane's own listener (default 127.0.0.1:8100), for orchestrators
// and operators: readiness is "a config is loaded", not "the process is up",
// so a load balancer never sends traffic to a node that would answer 503.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompiledConfig } from '../compile/types.js';

export interface StatusSources {
  nodeId: string;
  softwareVersion: string;
  config: { readonly current: CompiledConfig | null };
  cluster: () => { connected: boolean; version: number; hash: string; lastError: string | null; source: string };
  inFlight: () => number;
}

export interface StatusServer {
  port: number;
  close(): Promise<void>;
}

export async function startStatusServer(host: string, port: number, src: StatusSources): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { message: 'Method not allowed' });
    if (path === '/status' || path === '/status/ready') {
      const cfg = src.config.current;
      const cluster = src.cluster();
      const body = {
        ready: cfg !== null,
        node_id: src.nodeId,
        version: src.softwareVersion,
        config_version: cfg?.version ?? null,
        config_hash: cfg?.hash ?? null,
        config_source: cluster.source,
        control_plane: { connected: cluster.connected, last_error: cluster.lastError },
        routes: cfg?.routes.size ?? 0,
        services: cfg?.services.size ?? 0,
        in_flight_requests: src.inFlight(),
      };
      return send(res, cfg ? 200 : 503, body);
    }
    if (path === '/status/live') return send(res, 200, { live: true });
    return send(res, 404, { message: 'Not found' });
  });
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
