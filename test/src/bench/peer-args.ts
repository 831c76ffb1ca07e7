// The one argument every Node peer takes, and how it reports its port.
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';

export function upstreamArg(): string {
  const { values } = parseArgs({ options: { upstream: { type: 'string' } } });
  if (!values.upstream) throw new Error('--upstream http://host:port is required');
  return values.upstream;
}

export function announce(server: Server): void {
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server is not listening on TCP');
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: addr.port })}\n`);
}

export function stopOnSignal(close: () => unknown): void {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => {
    void Promise.resolve(close()).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
