// One shutdown path for every long-running command: the first SIGTERM or
// SIGINT runs `close` (which drains, bounded), then the process exits 0, or 1
// when closing failed. Later signals are ignored: Ctrl-C in a terminal signals
// the whole process group, so a child of `portico demo` gets SIGINT from the
// terminal and SIGTERM from the demo, and the second must not cut its drain.
import type { Logger } from './logger.js';

export function exitOnSignals(log: Logger, close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
