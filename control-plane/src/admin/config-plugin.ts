// Placeholder for the declarative-config endpoints (/config, /config/versions,
// /config/rollback): filled in by the issue-3 declarative work.
import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../store/store.js';

export const configPlugin: FastifyPluginAsync<{ store: Store }> = async () => {};
