// The traditional router runs the shared Router contract, plus checks of what
// is specific to this implementation: prebuilt answers and index correctness
// at scale (against a plain linear scan in Kong's priority order).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MatchInput } from '../compile/types.js';
import { normalizePath } from './normalize-path.js';
import { comparePriority, prepareEntries, type PreparedEntry } from './route-entry.js';
import { routeFor, runRouterContract } from './router.contract.js';
import type { RouterRoute } from './router-route.js';
import { createTraditionalRouter } from './traditional-router.js';

runRouterContract('traditional', (routes) => createTraditionalRouter(routes));

describe('traditional router internals', () => {
  it('returns the same prebuilt RouteMatch for every request a prefix path matches', () => {
    const router = createTraditionalRouter([routeFor({ id: 'a', paths: ['/api'] })]);
    const req = (path: string): MatchInput => ({ method: 'GET', host: 'x', path, headers: {} });
    const first = router.match(req('/api/1'));
    assert.ok(first);
    assert.equal(router.match(req('/api/2')), first);
    assert.ok(Object.isFrozen(first));
  });

  it('finds the same route as a linear scan in priority order, over 2,000 random routes and requests', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
    const hosts = ['a.com', 'b.com', 'c.com', '*.a.com', 'a.*', 'b.com:8080'];
    const segs = ['api', 'v1', 'users', 'orders', 'x', 'items'];
    const randPath = () => '/' + Array.from({ length: 1 + rand(3) }, () => pick(segs)).join('/');
    const routes: RouterRoute[] = [];
    for (let i = 0; i < 2000; i++) {
      const spec: Parameters<typeof routeFor>[0] = { id: `r${i}`, created_at: rand(50), regex_priority: rand(3) };
      if (rand(2)) spec.hosts = [pick(hosts)];
      if (rand(3)) spec.paths = rand(10) === 0 ? [`~/${pick(segs)}/\\w+`] : [randPath()];
      if (rand(4) === 0) spec.methods = [pick(['GET', 'POST'])];
      if (rand(6) === 0) spec.headers = { 'x-v': [pick(['1', '2'])] };
      if (!spec.hosts && !spec.paths && !spec.methods && !spec.headers) spec.paths = [randPath()];
      routes.push(routeFor(spec));
    }
    const router = createTraditionalRouter(routes);
    const reference = linearReference(routes);
    for (let i = 0; i < 3000; i++) {
      const input: MatchInput = {
        method: pick(['GET', 'POST']),
        host: pick(['a.com', 'b.com', 'c.com', 'x.a.com', 'a.org', 'none.com']),
        path: randPath() + (rand(2) ? '/' + pick(segs) : ''),
        headers: rand(2) ? { 'x-v': pick(['1', '2']) } : {},
        port: pick([8000, 8080]),
      };
      const got = router.match(input);
      const want = reference(input);
      assert.equal(got?.route.id ?? null, want?.id ?? null, JSON.stringify(input));
      if (want !== null) assert.equal(got?.matchedPath, want.matchedPath, JSON.stringify(input));
    }
  });
});

/** Every entry in Kong's priority order, checked one by one: slow and obviously right. */
function linearReference(routes: RouterRoute[]) {
  const entries: PreparedEntry[] = routes.flatMap((r) => prepareEntries(r)).sort(comparePriority);
  return (input: MatchInput): { id: string; matchedPath: string | null } | null => {
    const path = normalizePath(input.path);
    for (const e of entries) {
      if (e.methods && !e.methods.has(input.method)) continue;
      if (e.hosts && !e.hosts.some((h) => (h.port === -1 || h.port === input.port) && hostOk(h.kind, h.value, input.host))) continue;
      if (e.headers && !e.headers.every((h) => {
        const v = input.headers[h.name];
        return typeof v === 'string' && h.values.has(v.toLowerCase());
      })) continue;
      if (e.regex) {
        const m = e.regex.exec(path);
        if (m) return { id: e.route.id, matchedPath: m[0] };
        continue;
      }
      if (e.pathKind === 1 && !path.startsWith(e.pathKey)) continue;
      return { id: e.route.id, matchedPath: e.pathKind === 1 ? e.pathKey : null };
    }
    return null;
  };
}

function hostOk(kind: number, value: string, host: string): boolean {
  if (kind === 0) return host === value;
  if (kind === 1) return host.length > value.length && host.endsWith(value);
  return host.length > value.length && host.startsWith(value);
}
