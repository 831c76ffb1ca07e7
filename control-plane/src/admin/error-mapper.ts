// The one place that turns an error into an admin response, in Kong's body
// shapes. Store errors that reach here unconverted get a generic Kong body;
// anything unknown is a 500 with no internals (logged by code, never by body).
import type { FastifyError, FastifyInstance } from 'fastify';
import { isPorticoError, PorticoError, type Logger } from '@portico/shared';
import { DeclarativeErrors, declarativeBody } from '../declarative/errors.js';
import { StoreErrors } from '../store/errors.js';
import { AdminErrors, KONG_CODES } from './errors.js';

export interface ErrorResponse {
  status: number;
  body: Record<string, unknown>;
}

export function toResponse(error: unknown): ErrorResponse {
  // Kong's declarative errors (code 14) carry the document-shaped `fields` and `flattened_errors`.
  if (isPorticoError(error, DeclarativeErrors.INVALID)) return { status: 400, body: declarativeBody(error) };
  const e = normalize(error);
  const kongCode = KONG_CODES.get(e.code);
  if (kongCode === undefined) return { status: e.status, body: { message: e.message } };
  const body: Record<string, unknown> = { code: kongCode, name: nameOf(e), message: e.message };
  const fields = e.detail?.['fields'];
  if (fields !== undefined) body['fields'] = fields;
  return { status: e.status, body };
}

const NAMES: ReadonlyMap<string, string> = new Map(Object.values(AdminErrors).map((entry) => [entry.code, entry.message]));
const nameOf = (e: PorticoError): string => NAMES.get(e.code) ?? e.message;

function normalize(error: unknown): PorticoError {
  if (isPorticoError(error)) {
    if (error.code.startsWith('PORTICO_ERR_ADMIN_')) return error;
    if (error.code === StoreErrors.NOT_FOUND.code) return new PorticoError(AdminErrors.NOT_FOUND);
    if (error.code === StoreErrors.INVALID_OFFSET.code) return new PorticoError(AdminErrors.INVALID_OFFSET, error.message);
    // A rollback target outside the kept history: the message says which versions can be restored.
    if (error.code === StoreErrors.VERSION_OUT_OF_RANGE.code) return error;
    return new PorticoError(AdminErrors.UNEXPECTED, undefined, undefined, { cause: error });
  }
  const fe = error as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new PorticoError(AdminErrors.BAD_JSON);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PorticoError(AdminErrors.PAYLOAD_TOO_LARGE);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PorticoError(AdminErrors.UNSUPPORTED_MEDIA_TYPE);
    default:
      // A malformed body Fastify itself rejected (bad content-length, …).
      if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return new PorticoError(AdminErrors.BAD_REQUEST);
      return new PorticoError(AdminErrors.UNEXPECTED, undefined, undefined, { cause: error });
  }
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorMapper(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toResponse(error);
    if (status >= 500) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      // Code and message only: bodies and headers may carry credentials.
      log.error({ method: request.method, url: request.routeOptions.url, code: (cause as { code?: unknown }).code, err: String((cause as Error).message ?? cause) }, 'admin request failed');
    }
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ message: AdminErrors.NOT_FOUND.message });
  });
}
