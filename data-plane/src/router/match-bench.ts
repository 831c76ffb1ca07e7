// Micro-benchmark of Router.match (a plain script, not a test):
//   node data-plane/dist/router/match-bench.js
// Prints the median ns per match at 1 / 100 / 10,000 routes. The route mix:
// hosts on half the routes (100 hosts, some wildcard), prefix paths, 10% regex
// paths, 10% header matches, some methods; requests hit random routes, and 10%
// match nothing.
import type { MatchInput, Router } from '../compile/types.js';
import { routeFor, type RouteSpec } from './router.contract.js';
import { createTraditionalRouter } from './traditional-router.js';

let seed = 7;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  // The high bits: this generator's low bit just alternates, which made
  // every other route hosted instead of a random half.
  return (seed >>> 16) % n;
};

function scenario(count: number): { router: Router; inputs: MatchInput[] } {
  const specs: RouteSpec[] = [];
  const inputs: MatchInput[] = [];
  for (let i = 0; i < count; i++) {
    const spec: RouteSpec = { id: `route-${i}`, created_at: i };
    const host = rand(2) === 0 ? `svc${rand(100)}.example.com` : null;
    if (host !== null) spec.hosts = rand(20) === 0 ? [`*.${host}`] : [host];
    const base = `/api/v${rand(3)}/svc${i}`;
    const regex = rand(10) === 0;
    spec.paths = [regex ? `~${base}/items/\\d+` : base];
    if (rand(10) === 0) spec.headers = { 'x-tenant': [`t${rand(5)}`] };
    if (rand(5) === 0) spec.methods = ['GET', 'POST'];
    specs.push(spec);
    const reqHost = host === null ? 'other.example.com' : spec.hosts![0]!.startsWith('*') ? `a.${host}` : host;
    inputs.push({
      method: 'GET',
      host: reqHost,
      path: regex ? `${base}/items/${rand(1000)}/detail` : `${base}/items/${rand(1000)}`,
      headers: { 'x-tenant': spec.headers?.['x-tenant']?.[0] ?? 't0', 'user-agent': 'bench', accept: '*/*' },
      port: 8000,
    });
  }
  for (let i = 0; i < Math.max(1, count / 10); i++) {
    inputs.push({ method: 'GET', host: 'nowhere.test', path: `/nothing/${i}`, headers: {}, port: 8000 });
  }
  return { router: createTraditionalRouter(specs.map(routeFor)), inputs };
}

function medianNs(router: Router, inputs: MatchInput[]): number {
  const batch = 10_000;
  const samples: number[] = [];
  let sink = 0;
  for (let round = 0; round < 60; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) {
      if (router.match(inputs[(round * batch + i) % inputs.length]!) !== null) sink++;
    }
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  if (sink < 0) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples.slice(10)[Math.floor((samples.length - 10) / 2)]!; // median after 10 warm-up rounds
}

for (const count of [1, 100, 10_000]) {
  const t0 = performance.now();
  const { router, inputs } = scenario(count);
  const buildMs = performance.now() - t0;
  const hits = inputs.filter((i) => router.match(i) !== null).length;
  console.log(
    `routes=${String(count).padStart(6)}  median=${medianNs(router, inputs).toFixed(0).padStart(5)} ns/match  ` +
      `(build ${buildMs.toFixed(1)} ms, ${hits}/${inputs.length} requests matched)`,
  );
}
