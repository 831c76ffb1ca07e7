// `portico cp`: parse flags, refuse insecure exposure, start the control plane.
import { dirname, join } from 'node:path';
import { createLogger, exitOnSignals, isLoopback, loadOrCreateToken, parseFlags, parseHostPort, readToken, UsageError, type CommandSpec } from '@portico/shared';
import { startControlPlane } from './main.js';

export const CP_COMMAND: CommandSpec = {
  usage: 'portico cp [options]',
  summary: 'Start the control plane: the Kong-compatible admin API over SQLite, and the gRPC stream that feeds data planes.',
  flags: {
    db: { type: 'string', default: './data/portico.db', description: 'SQLite database file' },
    'admin-listen': { type: 'string', default: '127.0.0.1:8001', description: 'Admin API HOST:PORT (beyond loopback it needs --admin-token)' },
    'cluster-listen': { type: 'string', default: '127.0.0.1:8005', description: 'Cluster (gRPC) HOST:PORT for data planes' },
    'admin-token': { type: 'string', description: 'Bearer token the admin API requires (set it via the env var)' },
    'cluster-token': { type: 'string', description: 'Shared secret data planes present (prefer the env var or a file)' },
    'cluster-token-file': { type: 'string', defaultLabel: '<db dir>/cluster.token', description: 'Token file; created with a random token when missing' },
    'log-level': { type: 'string', default: 'info', description: 'debug | info | warn | error' },
  },
};

export async function main(argv: string[]): Promise<void> {
  const f = parseFlags(CP_COMMAND, argv);
  if (!f) return;
  const dbPath = String(f['db']);
  const admin = parseHostPort(String(f['admin-listen']), 'admin-listen');
  const cluster = parseHostPort(String(f['cluster-listen']), 'cluster-listen');
  const adminToken = f['admin-token'] as string | undefined;
  if (!isLoopback(admin.host) && !adminToken) {
    throw new UsageError(`refusing to expose the admin API on ${admin.host} without a token: set PORTICO_ADMIN_TOKEN (or --admin-token), or listen on 127.0.0.1`);
  }
  const log = createLogger({ name: 'portico-cp', level: f['log-level'] as 'info' });
  let clusterToken = f['cluster-token'] as string | undefined;
  if (!clusterToken) {
    const file = (f['cluster-token-file'] as string | undefined) ?? join(dirname(dbPath), 'cluster.token');
    const t = f['cluster-token-file'] ? { token: readToken(file), created: false } : loadOrCreateToken(file);
    clusterToken = t.token;
    log.info({ file, created: t.created }, 'cluster token loaded');
  }
  const cp = await startControlPlane({
    dbPath,
    adminHost: admin.host,
    adminPort: admin.port,
    clusterHost: cluster.host,
    clusterPort: cluster.port,
    clusterToken,
    adminToken,
    log,
  });
  exitOnSignals(log, () => cp.close());
}
