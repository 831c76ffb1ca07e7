// `GET /upstreams/{u}/health` (kong/api/routes/upstreams.lua): the upstream's
// targets in Kong's shape, each with the health the connected data planes
// agree on (cluster/health-merge.ts) and Portico's per-node `nodes` verdicts;
// `?balancer_health=1` answers for the upstream as a whole. Kong answers from
// the one node it runs on; here `node_id` is the control plane's and the
// verdict is every data plane's.
//
// Kong's `POST /upstreams/{u}/targets/{t}/healthy|unhealthy` is not served yet:
// it needs a control-plane → data-plane override message and the health
// checker to honour it.
import type { FastifyPluginAsync } from 'fastify';
import type { Healthchecks } from '@portico/shared';
import { balancerHealth, mergeTargets, usesHealthchecks, type ConfiguredTarget } from '../cluster/health-merge.js';
import type { ClusterView } from '../cluster/types.js';
import { endpoint } from './endpoint.js';
import type { EntityOps } from './entity-ops.js';
import { notFound } from './errors.js';
import { parseListQuery } from './list-query.js';

export interface HealthPluginOptions {
  upstreams: EntityOps;
  targets: EntityOps;
  cluster: ClusterView;
  /** The control plane's node id, Kong's `node_id`. */
  nodeId: string;
}

export const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async (app, { upstreams, targets, cluster, nodeId }) => {
  endpoint(app, '/upstreams/:a/health', {
    GET: async (req) => {
      const upstream = upstreams.find((req.params as { a: string }).a);
      if (!upstream) throw notFound();
      const id = upstream['id'] as string;
      const checks = upstream['healthchecks'] as Healthchecks;
      const checksOn = usesHealthchecks(checks);
      const nodes = cluster.nodeHealth?.() ?? [];
      const query = (req.query ?? {}) as Record<string, unknown>;

      if (String(query['balancer_health']) === '1') {
        const rows = mergeTargets(id, checksOn, targets.all({ column: 'upstream_id', value: id }) as ConfiguredTarget[], nodes);
        return { data: balancerHealth(id, checksOn, checks.threshold, rows), next: null, node_id: nodeId };
      }

      const { options, carry } = parseListQuery(req.query);
      options.where = { column: 'upstream_id', value: id };
      const page = targets.list(options);
      const data = mergeTargets(id, checksOn, page.data.map((t) => targets.render(t)) as ConfiguredTarget[], nodes);
      const base = `/upstreams/${encodeURIComponent((req.params as { a: string }).a)}/health`;
      if (page.offset === null) return { data, next: null, node_id: nodeId };
      return { data, offset: page.offset, next: `${base}?offset=${encodeURIComponent(page.offset)}${carry}`, node_id: nodeId };
    },
  });
};
