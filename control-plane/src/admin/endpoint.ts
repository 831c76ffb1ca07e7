// Registers one admin path with its handlers and answers Kong's 405 for the
// methods it does not handle (Fastify alone would answer 404).
import type { FastifyInstance, FastifyReply, RouteHandlerMethod } from 'fastify';
import { methodNotAllowed } from './errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export const VERSION_HEADER = 'X-Portico-Config-Version';

export function endpoint(app: FastifyInstance, url: string, handlers: Partial<Record<Method, RouteHandlerMethod>>): void {
  for (const method of METHODS) {
    const handler = handlers[method];
    app.route({
      method,
      url,
      handler:
        handler ??
        (async () => {
          throw methodNotAllowed();
        }),
    });
  }
}

/** A successful write: status, the config version it produced, the body (none for 204). */
export function written(reply: FastifyReply, status: number, version: number, body?: unknown): FastifyReply {
  void reply.code(status).header(VERSION_HEADER, String(version));
  return body === undefined ? reply.send() : reply.send(body);
}
