// Kong's `/tags` and `/tags/{tag}` (kong/api/routes/tags.lua): every tagged
// entity as `{entity_name, entity_id, tag}`, paged. Built by scanning the
// entity tables: the admin API is not a hot path, and the store keeps tags
// only inside bodies.
import type { FastifyPluginAsync } from 'fastify';
import { RESOURCE_TYPES, checkTag } from '@portico/shared';
import type { Store } from '../store/store.js';
import { endpoint } from './endpoint.js';
import { invalidOffset, schemaViolation } from './errors.js';
import { parseListQuery } from './list-query.js';

interface TagRow {
  entity_name: string;
  entity_id: string;
  tag: string;
}

const keyOf = (r: TagRow) => `${r.tag}\0${r.entity_name}\0${r.entity_id}`;

function tagRows(store: Store, only?: string): TagRow[] {
  const rows: TagRow[] = [];
  for (const type of RESOURCE_TYPES) {
    for (const { id, body } of store.all(type)) {
      const tags = (JSON.parse(body) as { tags?: unknown }).tags;
      if (!Array.isArray(tags)) continue;
      for (const tag of tags) if (typeof tag === 'string' && (only === undefined || tag === only)) rows.push({ entity_name: type, entity_id: id, tag });
    }
  }
  return rows.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

function page(rows: TagRow[], query: unknown, basePath: string): Record<string, unknown> {
  const { options, carry } = parseListQuery(query);
  let start = 0;
  if (options.offset !== undefined) {
    let after: string;
    try {
      after = Buffer.from(options.offset, 'base64url').toString('utf8');
    } catch {
      throw invalidOffset(`'${options.offset}' is not a valid offset: bad base64 encoding`);
    }
    start = rows.findIndex((r) => keyOf(r) > after);
    if (start < 0) start = rows.length;
  }
  const data = rows.slice(start, start + options.size);
  const more = start + options.size < rows.length;
  if (!more) return { data, next: null };
  const offset = Buffer.from(keyOf(data[data.length - 1]!)).toString('base64url');
  return { data, offset, next: `${basePath}?offset=${encodeURIComponent(offset)}${carry.replace(/&tags=[^&]*/, '')}` };
}

export const tagsPlugin: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  endpoint(app, '/tags', { GET: async (req) => page(tagRows(store), req.query, '/tags') });
  endpoint(app, '/tags/:tag', {
    GET: async (req) => {
      const tag = (req.params as { tag: string }).tag;
      const bad = checkTag(tag);
      if (bad !== undefined) throw schemaViolation({ tag: bad });
      return page(tagRows(store, tag), req.query, `/tags/${encodeURIComponent(tag)}`);
    },
  });
};
