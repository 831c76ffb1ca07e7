// Request body decoding, as Kong's admin API accepts it: JSON,
// form-urlencoded and multipart text fields; other content types are read as
// an empty body. Form values are strings, so they are remembered here and
// coerced by the entity schema later (Kong's infer), never JSON values.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PorticoError, ValidationMessages, type EntityValidator } from '@portico/shared';
import { AdminErrors, schemaViolation } from './errors.js';
import { decodeForm, decodeMultipart } from './form-decode.js';

type Body = Record<string, unknown>;

const formBodies = new WeakSet<object>();

export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const s = String(text);
    if (s.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(s));
    } catch {
      done(new PorticoError(AdminErrors.BAD_JSON), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, text, done) => {
    const body = decodeForm(String(text));
    formBodies.add(body);
    done(null, body);
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (req, text, done) => {
    const body = decodeMultipart(String(text), req.headers['content-type'] ?? '') ?? {};
    formBodies.add(body);
    done(null, body);
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _text, done) => done(null, {}));
}

/** The request body as an entity input: an object, coerced when it came from a form. */
export function entityInput(request: FastifyRequest, validator: EntityValidator<unknown>, existing?: Body): Body {
  const body = request.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw schemaViolation({ '@entity': [ValidationMessages.BAD_INPUT] });
  if (!formBodies.has(body)) return { ...(body as Body) };
  // `existing` lets a PATCH form (`config.minute=6`) be coerced by the stored plugin's schema.
  return validator.coerce({ ...(body as Body) }, existing);
}
