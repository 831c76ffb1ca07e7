// The large route table, loaded once per bench run and shared: S3 measures
// traffic through it, S5 measures write→live on top of it, S6 reads the memory
// it costs. The first scenario that needs it pays the load.
import type { BenchContext } from './context.js';
import { loadRoutes, startPortico, type LoadResult, type Portico } from './portico.js';
import { generateRoutes, type RouteRequest } from './routes-gen.js';

export interface BigTable {
  portico: Portico;
  load: LoadResult;
  requests: RouteRequest[];
}

let cached: Promise<BigTable> | undefined;

/** A Portico (1 data plane on the proxy CPU) holding ctx.opts.routes routes. */
export function bigTable(ctx: BenchContext): Promise<BigTable> {
  return (cached ??= (async () => {
    const { routes, requests } = generateRoutes(ctx.opts.routes);
    const portico = await startPortico(ctx.plan, ctx.upstream.url, { label: 'portico-big' });
    ctx.log(`loading ${routes.length} routes…`);
    const load = await loadRoutes(portico, ctx.upstream.url, routes);
    ctx.log(`loaded ${routes.length} routes with ${load.method} in ${Math.round(load.ms)} ms`);
    return { portico, load, requests };
  })());
}

export function bigTableLoaded(): Promise<BigTable> | undefined {
  return cached;
}
