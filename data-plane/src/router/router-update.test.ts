// updateTraditionalRouter must give exactly the router a full build would:
// same priority order, same host groups and trees, same answers — over random
// add/edit/delete sequences with ties on every priority key, multi-path
// routes, and host groups that appear and disappear. The previous router must
// come out of an update untouched, since it keeps serving meanwhile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MatchInput } from '../compile/types.js';
import { NO_RANK, type PrefixNode } from './prefix-tree.js';
import type { RankedEntry } from './rank-order.js';
import { routeFor, type RouteSpec } from './router.contract.js';
import type { RouterRoute } from './router-route.js';
import { createTraditionalRouter, updateTraditionalRouter, type TraditionalRouter } from './traditional-router.js';
import type { HostGroup } from './host-index.js';

function random(seed: number) {
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 8) % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  return { rand, pick };
}

const HOSTS = ['a.com', 'b.com', 'c.com', 'a.com:8080', '*.a.com', '*.x.a.com', 'a.*', 'b.*', '*.b.com', '*.c.com', '*.d.com', '*.e.com', '*.f.com'];
const SEGS = ['api', 'v1', 'users', 'u', 'orders', 'x'];

function randomSpec(r: ReturnType<typeof random>, id: string): RouteSpec {
  const { rand, pick } = r;
  const path = () => '/' + Array.from({ length: 1 + rand(3) }, () => pick(SEGS)).join('/');
  // Few distinct created_at values, so ties fall through to the id.
  const spec: RouteSpec = { id, created_at: rand(3), regex_priority: rand(2) };
  if (rand(2)) spec.hosts = Array.from({ length: 1 + rand(2) }, () => pick(HOSTS));
  if (rand(5)) spec.paths = Array.from({ length: 1 + rand(3) }, () => (rand(6) === 0 ? `~/${pick(SEGS)}/(\\w+)` : path()));
  if (rand(4) === 0) spec.methods = [pick(['GET', 'POST'])];
  if (rand(6) === 0) spec.headers = { 'x-v': [pick(['1', '2'])] };
  if (rand(12) === 0) spec.snis = ['a.com'];
  if (!spec.hosts && !spec.paths && !spec.methods && !spec.headers) spec.paths = [path()];
  return spec;
}

function randomRequest(r: ReturnType<typeof random>): MatchInput {
  const { rand, pick } = r;
  return {
    method: pick(['GET', 'POST']),
    host: pick(['a.com', 'b.com', 'c.com', 'x.a.com', 'y.x.a.com', 'a.org', 'b.net', 'q.c.com', 'z.f.com', 'none.com']),
    path: '/' + Array.from({ length: 1 + rand(4) }, () => pick(SEGS)).join('/'),
    headers: rand(2) ? { 'x-v': pick(['1', '2']) } : {},
    port: pick([8000, 8080]),
    ...(rand(4) === 0 ? { sni: pick(['a.com', 'b.com']) } : {}),
  };
}

/** Everything a match depends on, by entry identity (ranks differ between builds; their order must not). */
function describe_(router: TraditionalRouter): unknown {
  const ids = (list: readonly RankedEntry[]) => list.map((e) => `${e.route.id}#${e.prepared.pathIndex}`);
  const group = (g: HostGroup) => {
    const nodes: [string, string[]][] = [];
    const walk = (n: PrefixNode<RankedEntry>, prefix: string) => {
      if (n.values !== null) nodes.push([prefix + n.label, ids(n.values)]);
      for (const k of n.kids ?? []) walk(k, prefix + n.label);
    };
    walk(g.root, '');
    return { noPath: ids(g.noPath), tree: nodes.sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
  };
  const groups = (m: ReadonlyMap<string, HostGroup>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, g]) => [k, group(g)]);
  const { exact, suffix, prefix, anyHost } = router.index;
  return { order: ids(router.order), exact: groups(exact), suffix: groups(suffix.groups), prefix: groups(prefix.groups), anyHost: group(anyHost) };
}

/** The invariants a walk relies on: ranks ascending, bounds exact, edges consistent, the trie compressed. */
function checkInvariants(router: TraditionalRouter): void {
  for (let i = 1; i < router.order.length; i++) assert.ok(router.order[i - 1]!.rank < router.order[i]!.rank, 'ranks ascend');
  const node = (n: PrefixNode<RankedEntry>, isRoot: boolean): number => {
    assert.equal(n.labelLength, n.label.length);
    if (!isRoot) assert.ok(n.label.length > 0 && (n.values !== null || (n.kids?.length ?? 0) >= 2), `node '${n.label}' is needed`);
    let bound = NO_RANK;
    if (n.values !== null) {
      assert.ok(n.values.length > 0);
      for (let i = 1; i < n.values.length; i++) assert.ok(n.values[i - 1]!.rank < n.values[i]!.rank);
      bound = n.values[0]!.rank;
    }
    assert.equal(n.codes.length, n.kids?.length ?? 0);
    (n.kids ?? []).forEach((k, i) => {
      assert.equal(n.codes.charCodeAt(i), k.label.charCodeAt(0));
      bound = Math.min(bound, node(k, false));
    });
    assert.equal(n.bound, bound, `bound of '${n.label}'`);
    return bound;
  };
  const groups = [router.index.anyHost, ...router.index.exact.values(), ...router.index.suffix.groups.values(), ...router.index.prefix.groups.values()];
  for (const g of groups) {
    const root = node(g.root, true);
    assert.equal(g.bound, Math.min(root, g.noPath[0]?.rank ?? NO_RANK));
  }
}

const answer = (router: TraditionalRouter, req: MatchInput) => {
  const m = router.match(req);
  return m === null ? null : { id: m.route.id, matchedPath: m.matchedPath, uriCaptures: m.uriCaptures };
};

function checkSame(next: TraditionalRouter, live: Iterable<RouterRoute>, r: ReturnType<typeof random>): void {
  const scratch = createTraditionalRouter(live);
  checkInvariants(next);
  assert.deepEqual(describe_(next), describe_(scratch));
  for (let i = 0; i < 200; i++) {
    const req = randomRequest(r);
    assert.deepEqual(answer(next, req), answer(scratch, req), JSON.stringify(req));
  }
}

describe('updateTraditionalRouter', () => {
  it('equals a full build over random add/edit/delete sequences, and leaves the previous router untouched', () => {
    for (const seed of [1, 2, 3]) {
      const r = random(seed);
      const live = new Map<string, RouterRoute>();
      let serial = 0;
      const newId = () => `r${String(r.rand(1000)).padStart(3, '0')}-${serial++}`;
      for (let i = 0; i < 150; i++) {
        const id = newId();
        live.set(id, routeFor(randomSpec(r, id)));
      }
      let router = createTraditionalRouter(live.values());
      for (let step = 0; step < 60; step++) {
        const removed: RouterRoute[] = [];
        const added: RouterRoute[] = [];
        for (let k = 1 + r.rand(4); k > 0; k--) {
          const ids = [...live.keys()];
          const kind = r.rand(3);
          if (kind === 0 || ids.length < 20) {
            const id = newId();
            const route = routeFor(randomSpec(r, id));
            live.set(id, route);
            added.push(route);
          } else {
            const id = r.pick(ids);
            if (removed.includes(live.get(id)!) || added.includes(live.get(id)!)) continue;
            removed.push(live.get(id)!);
            if (kind === 1) {
              const route = routeFor(randomSpec(r, id)); // an edit: same id, new input
              live.set(id, route);
              added.push(route);
            } else live.delete(id);
          }
        }
        const before = describe_(router);
        const next = updateTraditionalRouter(router, { removed, added });
        assert.deepEqual(describe_(router), before, 'the previous router is unchanged');
        checkSame(next, live.values(), r);
        router = next;
      }
    }
  });

  it('re-spaces ranks when many routes land between the same two neighbours', () => {
    const r = random(9);
    // Each new route is older than the last one added, so it lands between the
    // first route and the previous newcomer: the gap halves every time.
    const live = [routeFor({ id: 'first', created_at: 0, paths: ['/a'] }), routeFor({ id: 'last', created_at: 10_000, paths: ['/a'] })];
    let router = createTraditionalRouter(live);
    for (let i = 0; i < 40; i++) {
      const route = routeFor({ id: `mid-${i}`, created_at: 5_000 - i, paths: ['/a'], ...(i % 3 === 0 ? { hosts: ['a.com'] } : {}) });
      live.push(route);
      const prev = router;
      router = updateTraditionalRouter(router, { removed: [], added: [route] });
      assert.equal(prev.order.length, live.length - 1, 'the previous router is unchanged');
      checkSame(router, live, r);
    }
    // Then one update adding many more into the crowded spot: windows re-spaced
    // mid-update hold entries this same update added.
    const batch = Array.from({ length: 30 }, (_, i) => routeFor({ id: `batch-${i}`, created_at: 4_000 - i, paths: ['/a'] }));
    router = updateTraditionalRouter(router, { removed: [], added: batch });
    checkSame(router, [...live, ...batch], r);
  });

  it('handles routes without paths, stream-only routes, and host groups emptied and refilled', () => {
    const r = random(5);
    const a = routeFor({ id: 'a', hosts: ['*.a.com'] });
    const b = routeFor({ id: 'b', hosts: ['a.*', 'b.com'], methods: ['GET'] });
    const tcp = routeFor({ id: 'tcp', protocols: ['tcp'], snis: ['a.com'] });
    let router = createTraditionalRouter([a]);
    router = updateTraditionalRouter(router, { removed: [], added: [b, tcp] });
    checkSame(router, [a, b, tcp], r);
    router = updateTraditionalRouter(router, { removed: [a, b, tcp], added: [] });
    checkSame(router, [], r);
    assert.equal(router.index.suffix.groups.size + router.index.prefix.groups.size + router.index.exact.size, 0);
    router = updateTraditionalRouter(router, { removed: [], added: [a, b] });
    checkSame(router, [a, b], r);
  });

  it('rebuilds in full when a change is large, with the same result', () => {
    const r = random(11);
    const first = Array.from({ length: 100 }, (_, i) => routeFor(randomSpec(r, `x${i}`)));
    const second = Array.from({ length: 100 }, (_, i) => routeFor(randomSpec(r, `y${i}`)));
    const router = updateTraditionalRouter(createTraditionalRouter(first), { removed: first.slice(0, 50), added: second });
    checkSame(router, [...first.slice(50), ...second], r);
  });

  it('rejects an invalid added route with ROUTE_INVALID, as a full build does', () => {
    const router = createTraditionalRouter([routeFor({ id: 'a', paths: ['/a'] })]);
    assert.throws(() => updateTraditionalRouter(router, { removed: [], added: [routeFor({ id: 'b', paths: ['~/(x'] })] }), /route 'b'/);
  });
});
