// Read-only endpoints about what this build can store: `GET /plugins/enabled`,
// `GET /plugins/schema/{name}` (Kong's older path), `GET /schemas/plugins/{name}`
// and `GET /schemas/{entity}`, plus Kong's `/upstreams/{u}/targets/all`.
import type { FastifyPluginAsync } from 'fastify';
import { ENTITY_VALIDATORS, PluginSchema, isResourceType, type PluginRegistry } from '@portico/shared';
import { endpoint } from './endpoint.js';
import type { EntityOps } from './entity-ops.js';
import { notFound } from './errors.js';
import { kongFields } from './kong-schema.js';
import { pageBody, parseListQuery } from './list-query.js';

export interface MetaPluginOptions {
  plugins: PluginRegistry;
  upstreams: EntityOps;
  targets: EntityOps;
}

const noPlugin = (name: string) => ({ message: `No plugin named '${name}'` });

export const metaPlugin: FastifyPluginAsync<MetaPluginOptions> = async (app, { plugins, upstreams, targets }) => {
  endpoint(app, '/plugins/enabled', { GET: async () => ({ enabled_plugins: [...plugins.keys()].sort() }) });

  const pluginSchema = async (req: { params: unknown }, reply: { code(n: number): unknown }) => {
    const name = (req.params as { name: string }).name;
    const def = plugins.get(name);
    if (!def) {
      reply.code(404);
      return noPlugin(name);
    }
    // The plugin entity's fields with this plugin's config record in place of the generic one.
    return { fields: kongFields({ ...PluginSchema, properties: { ...PluginSchema.properties, config: def.config } }) };
  };
  endpoint(app, '/plugins/schema/:name', { GET: pluginSchema as never });
  endpoint(app, '/schemas/plugins/:name', { GET: pluginSchema as never });

  endpoint(app, '/schemas/:name', {
    GET: async (req, reply) => {
      const name = (req.params as { name: string }).name;
      if (!isResourceType(name)) return reply.code(404).send({ message: `No entity named '${name}'` });
      return { fields: kongFields(ENTITY_VALIDATORS[name].schema) };
    },
  });

  endpoint(app, '/upstreams/:a/targets/all', {
    GET: async (req) => {
      const upstream = upstreams.find((req.params as { a: string }).a);
      if (!upstream) throw notFound();
      const { options, carry } = parseListQuery(req.query);
      options.where = { column: 'upstream_id', value: upstream.id };
      return pageBody(targets.list(options), `/upstreams/${encodeURIComponent(upstream.id)}/targets/all`, carry);
    },
  });
};
