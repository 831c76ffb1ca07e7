// Forked by ipc-rate-limit-store.test.ts: a stand-in primary that holds the
// counters and answers over the real IPC channel, as a data-plane primary does.
import { LocalRateLimitStore } from '../plugins/rate-limiting/store.js';
import { answerRateLimit, isRateLimitRequest } from './ipc-rate-limit-store.js';

const store = new LocalRateLimitStore();
process.on('message', (m: unknown) => {
  if (isRateLimitRequest(m)) answerRateLimit(store, m, (r) => process.send!(r));
});
process.on('disconnect', () => process.exit(0));
