// Optional admin token: `Authorization: Bearer <token>` or Kong's
// `Kong-Admin-Token: <token>`. Compared in constant time over digests so
// neither the token's content nor its length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { PorticoError } from '@portico/shared';
import { AdminErrors } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function installAuth(app: FastifyInstance, token: string): void {
  if (token === '') throw new Error('adminToken must not be empty');
  const expected = digest(token);
  app.addHook('onRequest', async (request) => {
    const auth = request.headers['authorization'];
    const kong = request.headers['kong-admin-token'];
    const given = typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : typeof kong === 'string' ? kong : undefined;
    if (given === undefined || !timingSafeEqual(digest(given), expected)) throw new PorticoError(AdminErrors.UNAUTHORIZED);
  });
}
