// `portico dp`: parse flags, start a data-plane node, drain on SIGTERM/SIGINT.
import { availableParallelism, hostname } from 'node:os';
import { createLogger, exitOnSignals, parseFlags, parseHostPort, readToken, UsageError, type CommandSpec } from '@portico/shared';
import { startDataPlane } from './main.js';
import { startWorkerPrimary } from './workers/primary.js';

export const DP_COMMAND: CommandSpec = {
  usage: 'portico dp [options]',
  summary: 'Start a data-plane proxy node. It takes all its config from the control plane over one gRPC stream and keeps serving its last good config (cached on disk) when the control plane is away.',
  flags: {
    'control-plane': { type: 'string', default: '127.0.0.1:8005', description: 'Control plane cluster address HOST:PORT' },
    'proxy-listen': { type: 'string', default: '0.0.0.0:8000', description: 'Proxy listener HOST:PORT' },
    'status-listen': { type: 'string', default: '127.0.0.1:8100', description: 'Status listener HOST:PORT' },
    'node-id': { type: 'string', defaultLabel: 'hostname', description: 'Node identity reported to the control plane' },
    'cache-dir': { type: 'string', defaultLabel: './data/dp-<node-id>', description: 'Where the last good config is cached' },
    'cluster-token': { type: 'string', description: 'Shared secret for the cluster stream (prefer the env var or a file)' },
    'cluster-token-file': { type: 'string', default: './data/cluster.token', description: 'File holding the cluster token (written by `portico cp`)' },
    workers: { type: 'string', defaultLabel: 'number of cores', description: 'Processes serving the proxy port (node:cluster, round-robin). 1 = one process, no cluster machinery' },
    'drain-timeout': { type: 'string', default: '10000', description: 'Milliseconds in-flight requests may take to finish on shutdown' },
    'log-level': { type: 'string', default: 'info', description: 'debug | info | warn | error' },
  },
};

export async function main(argv: string[]): Promise<void> {
  const f = parseFlags(DP_COMMAND, argv);
  if (!f) return;
  const proxy = parseHostPort(String(f['proxy-listen']), 'proxy-listen');
  const status = parseHostPort(String(f['status-listen']), 'status-listen');
  parseHostPort(String(f['control-plane']), 'control-plane');
  const host = hostname();
  const nodeId = (f['node-id'] as string | undefined) ?? host;
  const drainMs = Number(f['drain-timeout']);
  if (!Number.isInteger(drainMs) || drainMs < 0) throw new UsageError(`--drain-timeout must be a whole number of milliseconds, got '${String(f['drain-timeout'])}'`);
  const workersFlag = f['workers'] as string | undefined;
  const workers = workersFlag === undefined ? availableParallelism() : Number(workersFlag);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new UsageError(`--workers must be a whole number from 1 to 256, got '${String(workersFlag)}'`);
  const token = (f['cluster-token'] as string | undefined) ?? readToken(String(f['cluster-token-file']));
  const log = createLogger({ name: 'portico-dp', level: f['log-level'] as 'info', bindings: { node_id: nodeId } });
  const start = workers === 1 ? startDataPlane : (o: Parameters<typeof startDataPlane>[0]) => startWorkerPrimary({ ...o, workers, logLevel: String(f['log-level']) });
  const dp = await start({
    controlPlane: String(f['control-plane']),
    clusterToken: token,
    proxyHost: proxy.host,
    proxyPort: proxy.port,
    statusHost: status.host,
    statusPort: status.port,
    nodeId,
    hostname: host,
    cacheDir: (f['cache-dir'] as string | undefined) ?? `./data/dp-${nodeId}`,
    drainMs,
    log,
  });
  exitOnSignals(log, () => dp.close());
}
