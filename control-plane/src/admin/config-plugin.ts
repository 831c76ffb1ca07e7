// Declarative config and version history:
//   GET  /config                    the whole config as a _format_version 3.0 document (JSON; YAML with ?format=yaml or Accept: application/x-yaml)
//   POST /config                    apply a document (JSON, YAML, or form field `config`) so the database equals it;
//                                   ?dry_run=true answers the plan instead, ?check_hash=1 answers 304 when nothing would change
//   GET  /config/versions           committed versions, newest first, paged with size/offset
//   GET  /config/versions/{N}       what version N changed, secrets redacted
//   POST /config/rollback {version} restore version N's config as one new version
// Errors (Kong's code-14 declarative body included) render in the app's one
// error mapper.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { PorticoError } from '@portico/shared';
import { applyDocument, entitiesByType, exportDocument, parseDocumentText, redact, renderDocument } from '../declarative/index.js';
import type { Store } from '../store/store.js';
import { endpoint, written } from './endpoint.js';
import { AdminErrors, invalidOffset, invalidSize, methodNotAllowed, notFound } from './errors.js';

/** Declarative documents can be far larger than one entity. */
const CONFIG_BODY_LIMIT = 32 * 1024 * 1024;
const YAML_TYPES = ['application/x-yaml', 'application/yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];
const DEFAULT_SIZE = 100;
const MAX_SIZE = 1000;

type Query = Record<string, string | undefined>;

const flag = (v: string | undefined): boolean => v !== undefined && !/^(0|false|no|off)$/i.test(v);

export const configPlugin: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  // Scoped to this plugin: YAML bodies arrive as text and are parsed by the loader.
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, text, done) => done(null, String(text)));

  registerConfig(app, store);

  endpoint(app, '/config/versions', {
    GET: async (req) => {
      const q = req.query as Query;
      const size = pageSize(q['size']);
      const before = q['offset'] === undefined ? undefined : parseOffset(q['offset']);
      const page = store.versions(size, before);
      if (page.next === null) return { data: page.data, next: null };
      const offset = String(page.next);
      return { data: page.data, offset, next: `/config/versions?offset=${offset}${q['size'] ? `&size=${size}` : ''}` };
    },
  });

  endpoint(app, '/config/versions/:version', {
    GET: async (req) => {
      const text = (req.params as { version: string }).version;
      const detail = /^\d+$/.test(text) ? store.versionDetail(Number(text)) : undefined;
      if (!detail) throw notFound();
      return {
        ...detail,
        entities: detail.entities?.map((e) => ({ ...e, before: e.before && redact(e.type, e.before), after: e.after && redact(e.type, e.after) })) ?? null,
      };
    },
  });

  endpoint(app, '/config/rollback', {
    POST: async (req, reply) => {
      const target = rollbackTarget(req.body);
      const res = store.rollbackTo(target);
      return written(reply, 200, res.version, { version: res.version, rolled_back_to: target, changed: res.changed, changes: res.changes });
    },
  });
};

function registerConfig(app: FastifyInstance, store: Store): void {
  app.get('/config', async (req, reply) => {
    const q = req.query as Query;
    const accept = String(req.headers['accept'] ?? '');
    const yaml = q['format'] === 'yaml' || (q['format'] !== 'json' && /yaml/i.test(accept));
    if (q['format'] !== undefined && q['format'] !== 'yaml' && q['format'] !== 'json') throw new PorticoError(AdminErrors.BAD_REQUEST, "format must be 'json' or 'yaml'");
    const text = renderDocument(exportDocument(store), yaml ? 'yaml' : 'json');
    return reply
      .header('content-type', yaml ? 'application/x-yaml; charset=utf-8' : 'application/json; charset=utf-8')
      .header('X-Portico-Config-Version', String(store.version()))
      .send(text);
  });

  app.post('/config', { bodyLimit: CONFIG_BODY_LIMIT }, async (req, reply) => {
    const q = req.query as Query;
    const dryRun = flag(q['dry_run']);
    const res = applyDocument(store, documentOf(req), { dryRun });
    if (dryRun) return reply.code(200).header('X-Portico-Config-Version', String(res.version)).send({ dry_run: true, version: res.version, summary: res.plan.summary, changes: res.plan.changes });
    // Kong: with check_hash=1 an identical configuration is not reloaded and answers 304.
    if (flag(q['check_hash']) && !res.changed) return reply.code(304).header('X-Portico-Config-Version', String(res.version)).send();
    return written(reply, 201, res.version, entitiesByType(store));
  });

  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    app.route({
      method,
      url: '/config',
      handler: async () => {
        throw methodNotAllowed();
      },
    });
  }
}

/** The document in a request: a parsed JSON body, a YAML/JSON text body, or Kong's `config` form field. */
function documentOf(req: FastifyRequest): unknown {
  const body = req.body;
  if (typeof body === 'string') return parseDocumentText(body);
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (b['_format_version'] === undefined && typeof b['config'] === 'string') return parseDocumentText(b['config']);
  }
  return body ?? {};
}

function rollbackTarget(body: unknown): number {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['version'] : undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new PorticoError(AdminErrors.BAD_REQUEST, "'version' must be a non-negative integer");
  return n;
}

function pageSize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SIZE;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) throw invalidSize('size must be a number');
  if (!Number.isInteger(n) || n < 1 || n > MAX_SIZE) throw invalidSize(`size must be an integer between 1 and ${MAX_SIZE}`);
  return n;
}

function parseOffset(text: string): number {
  if (!/^\d+$/.test(text)) throw invalidOffset(`'${text}' is not a valid offset: bad version number`);
  return Number(text);
}
