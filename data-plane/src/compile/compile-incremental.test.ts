// compile() given the previous config must produce what compiling the same
// snapshot from scratch produces — same routing answers, same routes, same
// live cache namespaces — whatever changed in between: routes added, edited
// and deleted, services disabled and re-enabled or edited, plugins added and
// removed (which stop unchanged routes from being kept as they are).
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { after, describe, it } from 'node:test';
import type { Resource } from '@portico/shared';
import { PluginRuntime } from '../plugins/runtime.js';
import { compile, compileSteps, liveCacheNamespaces } from './compile.js';
import { runInSlices } from '../slices.js';
import { plugin, route, service } from './test-fixtures.js';
import type { CompiledConfig, MatchInput } from './types.js';

const runtime = new PluginRuntime();
after(() => runtime.close());

let seed = 3;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return (seed >>> 8) % n;
};
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
const hex = (n: number) => n.toString(16).padStart(12, '0');
const SERVICES = [0, 1, 2].map((i) => `00000000-0000-4000-8000-${hex(i)}`);
const HOSTS = ['a.com', 'b.com', '*.a.com', 'c.*'];
const SEGS = ['api', 'v1', 'users', 'x'];
const randomPath = () => '/' + Array.from({ length: 1 + rand(3) }, () => pick(SEGS)).join('/');

function randomRoute(id: string): Resource {
  return route(id, rand(8) === 0 ? null : pick(SERVICES), {
    created_at: rand(3),
    paths: Array.from({ length: 1 + rand(2) }, () => (rand(5) === 0 ? `~/${pick(SEGS)}/\\d+` : randomPath())),
    hosts: rand(2) ? [pick(HOSTS)] : null,
    methods: rand(4) === 0 ? ['GET'] : null,
  });
}

function requests(): MatchInput[] {
  return Array.from({ length: 150 }, () => ({
    method: pick(['GET', 'POST']),
    host: pick(['a.com', 'b.com', 'x.a.com', 'c.org', 'none.com']),
    path: randomPath() + (rand(2) ? '/7' : ''),
    headers: {},
  }));
}

/** What a config serves, in comparable form (compiled objects differ between builds; what they say must not). */
function served(config: CompiledConfig, reqs: MatchInput[]) {
  const routes = [...config.routes].map(([id, r]) => ({
    id,
    service: r.service?.id ?? null,
    port: r.service?.port ?? null,
    plugins: r.plugins?.http?.entries.map((e) => e.pluginId) ?? null,
  }));
  return {
    routes: routes.sort((a, b) => (a.id < b.id ? -1 : 1)),
    answers: reqs.map((q) => {
      const m = config.router.match(q);
      return m === null ? null : [m.route.id, m.matchedPath];
    }),
    namespaces: [...liveCacheNamespaces(config)].sort(),
    services: [...config.services.keys()].sort(),
  };
}

describe('compile: incremental equals from scratch', () => {
  it('over random route, service and plugin changes', () => {
    const services = new Map(SERVICES.map((id) => [id, service(id)] as const));
    const routes = new Map<string, Resource>();
    const plugins = new Map<string, { resource: Resource; route: string | null }>(); // by scope
    let serial = 0;
    const newId = () => `10000000-0000-4000-8000-${hex(serial++)}`;
    for (let i = 0; i < 40; i++) {
      const id = newId();
      routes.set(id, randomRoute(id));
    }
    const snapshot = () => [...services.values(), ...routes.values(), ...[...plugins.values()].map((p) => p.resource)];
    let before = snapshot();
    let config = compile({ version: 0, hash: 'h0', resources: before }, undefined, runtime);
    for (let step = 1; step <= 80; step++) {
      for (let k = 1 + rand(3); k > 0; k--) {
        const ids = [...routes.keys()];
        switch (rand(8)) {
          case 0:
          case 1: {
            const id = newId();
            routes.set(id, randomRoute(id));
            break;
          }
          case 2:
          case 3: {
            const id = pick(ids);
            routes.set(id, randomRoute(id));
            break;
          }
          case 4: {
            const id = pick(ids);
            routes.delete(id);
            for (const [scope, p] of plugins) if (p.route === id) plugins.delete(scope);
            break;
          }
          case 5: {
            // Disable or re-enable a service (its routes leave or rejoin the router), or move its port.
            const id = pick(SERVICES);
            services.set(id, service(id, rand(2) ? { enabled: rand(2) === 0 } : { port: 80 + rand(3) }));
            break;
          }
          case 6: {
            // Add a plugin, or edit the one already in that scope (Kong allows one per name and scope).
            const onRoute = rand(2) ? pick(ids) : null;
            const onService = onRoute === null && rand(2) ? pick(SERVICES) : undefined;
            const scope = `${onRoute}|${onService}`;
            const id = plugins.get(scope)?.resource.id ?? newId();
            const resource =
              onRoute === null
                ? plugin(id, 'proxy-cache', { strategy: 'memory', cache_ttl: 1 + rand(5) }, onService === undefined ? {} : { service: onService })
                : plugin(id, 'key-auth', {}, { route: onRoute });
            plugins.set(scope, { resource, route: onRoute });
            break;
          }
          default:
            if (plugins.size > 0) plugins.delete(pick([...plugins.keys()]));
        }
      }
      const resources = snapshot();
      // Now and then a snapshot in another order (a full push may reorder): only the cost may change.
      if (step % 7 === 0) for (let i = resources.length - 1; i > 0; i--) resources.push(...resources.splice(rand(i + 1), 1));
      const input = { version: step, hash: `h${step}`, resources };
      const next = compile(input, config, runtime);
      const scratch = compile(input, undefined, runtime);
      // The same change handed over as a delta on the previous config (as a delta push is).
      const viaDelta = compile({ ...input, delta: { baseVersion: step - 1, baseHash: `h${step - 1}`, ...changeBetween(before, resources) } }, config, runtime);
      const reqs = requests();
      assert.deepEqual(served(next, reqs), served(scratch, reqs), `step ${step}`);
      assert.deepEqual(served(viaDelta, reqs), served(scratch, reqs), `step ${step}, from the delta`);
      // Routes keep the previous config's order; new ones follow, as the delta lists them.
      const routeIds = new Set(resources.filter((r) => r.type === 'routes').map((r) => r.id));
      const kept = [...config.routes.keys()].filter((id) => routeIds.has(id));
      const added = [...routeIds].filter((id) => !config.routes.has(id));
      assert.deepEqual([...viaDelta.routes.keys()], [...kept, ...added], `step ${step}: the delta keeps the order`);
      // Either may be the next step's previous config: both must be complete.
      config = step % 2 === 0 ? next : viaDelta;
      before = resources;
    }
  });

  it('a delta on another config than the previous one is not used: the whole snapshot is', () => {
    const s = service(SERVICES[0]!);
    const a = route(SERVICES[1]!, SERVICES[0]!, { paths: ['/a'] });
    const b = route(SERVICES[2]!, SERVICES[0]!, { paths: ['/b'] });
    const first = compile({ version: 1, hash: 'h1', resources: [s, a] }, undefined, runtime);
    // The delta claims to add nothing; the snapshot adds /b. Base version or hash off: the snapshot wins.
    for (const base of [{ baseVersion: 0, baseHash: 'h1' }, { baseVersion: 1, baseHash: 'other' }]) {
      const next = compile({ version: 2, hash: 'h2', resources: [s, a, b], delta: { ...base, updated: [], removed: [] } }, first, runtime);
      assert.equal(next.router.match({ method: 'GET', host: 'x', path: '/b', headers: {} })?.route.id, SERVICES[2]);
    }
  });

  it('a bad body in a delta rejects the config and leaves the previous one as it was', () => {
    const s = service(SERVICES[0]!);
    const a = route(SERVICES[1]!, SERVICES[0]!, { paths: ['/a'] });
    const first = compile({ version: 1, hash: 'h1', resources: [s, a] }, undefined, runtime);
    const listed = first.routes.get(SERVICES[1]!);
    const bad = { ...route(SERVICES[2]!, SERVICES[0]!, { paths: ['/b'] }), body: '{"paths":"/b"' };
    assert.throws(() => compile({ version: 2, hash: 'h2', resources: [s, a, bad], delta: { baseVersion: 1, baseHash: 'h1', updated: [bad], removed: [] } }, first, runtime), /route/);
    const edited = route(SERVICES[1]!, SERVICES[0]!, { paths: ['/a2'] });
    const gone = compile({ version: 2, hash: 'h2', resources: [s, edited], delta: { baseVersion: 1, baseHash: 'h1', updated: [edited], removed: [] } }, first, runtime);
    assert.equal(gone.router.match({ method: 'GET', host: 'x', path: '/a2', headers: {} })?.route.id, SERVICES[1]);
    assert.equal(first.router.match({ method: 'GET', host: 'x', path: '/a', headers: {} })?.route.id, SERVICES[1], 'the previous config still routes /a');
    assert.equal(first.routes.get(SERVICES[1]!), listed, 'and still lists its own route');
  });

  it('a delta that changes only a service leaves the previous config\'s routes as they were', () => {
    const a = route(SERVICES[1]!, SERVICES[0]!, { paths: ['/a'] });
    const first = compile({ version: 1, hash: 'h1', resources: [service(SERVICES[0]!), a] }, undefined, runtime);
    const listed = first.routes.get(SERVICES[1]!)!;
    const moved = service(SERVICES[0]!, { port: 81 });
    const second = compile({ version: 2, hash: 'h2', resources: [moved, a], delta: { baseVersion: 1, baseHash: 'h1', updated: [moved], removed: [] } }, first, runtime);
    assert.equal(second.routes.get(SERVICES[1]!)!.service?.port, 81);
    assert.equal(first.routes.get(SERVICES[1]!), listed);
    assert.equal(first.routes.get(SERVICES[1]!)!.service?.port, 80);
  });

  it('a resource a delta lists twice ends as its last listing, as in the node\'s resource set', () => {
    const a = route(SERVICES[1]!, SERVICES[0]!, { paths: ['/a'] });
    const first = compile({ version: 1, hash: 'h1', resources: [service(SERVICES[0]!), a] }, undefined, runtime);
    const edited = route(SERVICES[1]!, SERVICES[0]!, { paths: ['/edited'] });
    const second = compile({ version: 2, hash: 'h2', resources: [service(SERVICES[0]!), a], delta: { baseVersion: 1, baseHash: 'h1', updated: [edited, a], removed: [] } }, first, runtime);
    assert.equal(second.router.match({ method: 'GET', host: 'x', path: '/a', headers: {} })?.route.id, SERVICES[1]);
    assert.equal(second.router.match({ method: 'GET', host: 'x', path: '/edited', headers: {} }), null);
  });

  it('shares unchanged maps and compiled routes with the previous config', () => {
    const resources = [service(SERVICES[0]!), route(SERVICES[1]!, SERVICES[0]!, { paths: ['/a'] })];
    const first = compile({ version: 1, hash: 'h', resources }, undefined, runtime);
    const second = compile({ version: 2, hash: 'h', resources: [...resources, route(SERVICES[2]!, SERVICES[0]!, { paths: ['/b'] })] }, first, runtime);
    assert.equal(second.services, first.services);
    assert.equal(second.routes.get(SERVICES[1]!), first.routes.get(SERVICES[1]!));
    assert.equal(second.routes.size, 2);
    assert.equal(first.routes.size, 1, 'the previous config still lists its own routes');
    assert.equal(first.router.match({ method: 'GET', host: 'x', path: '/b', headers: {} }), null);
    assert.equal(second.router.match({ method: 'GET', host: 'x', path: '/b', headers: {} })?.route.id, SERVICES[2]);
  });
});

describe('compile in slices (a large change to a serving config)', () => {
  it('leaves the previous config serving unchanged between slices, and ends where compile ends', async () => {
    const hexId = (n: number) => `20000000-0000-4000-8000-${hex(n)}`;
    const services = SERVICES.map((id) => service(id));
    const first = Array.from({ length: 400 }, (_, i) => randomRoute(hexId(i)));
    const serving = compile({ version: 1, hash: 'h1', resources: [...services, ...first, plugin(hexId(9000), 'key-auth', {}, { route: first[0]!.id })] }, undefined, runtime);
    // Every route edited, a quarter deleted, as many added: the whole table changes.
    const second = [...first.slice(100).map((r) => randomRoute(r.id)), ...Array.from({ length: 100 }, (_, i) => randomRoute(hexId(1000 + i)))];
    const input = { version: 2, hash: 'h2', resources: [...services, ...second] };
    const reqs = requests();
    const before = served(serving, reqs);
    let looks = 0;
    let changed = 0;
    let done = false;
    // Between slices, as the proxy would between requests: what the serving config answers must not move.
    const look = (): void => {
      if (done) return;
      looks++;
      if (!isDeepStrictEqual(served(serving, reqs), before)) changed++;
      setImmediate(look);
    };
    setImmediate(look);
    const { value, stats } = await runInSlices(compileSteps(input, serving, runtime), 0);
    done = true;
    assert.ok(stats.slices > 10, `${stats.slices} slices`);
    assert.ok(looks >= stats.slices - 1, `${looks} looks between ${stats.slices} slices`);
    assert.equal(changed, 0, 'the serving config answered differently while the next one compiled');
    assert.deepEqual(served(value, reqs), served(compile(input, undefined, runtime), reqs));
  });

  it('rejects a bad snapshot, as compile throws', async () => {
    const serving = compile({ version: 1, hash: 'h1', resources: [service(SERVICES[0]!), route(SERVICES[1]!, SERVICES[0]!)] }, undefined, runtime);
    const bad = [service(SERVICES[0]!), ...Array.from({ length: 300 }, (_, i) => route(`30000000-0000-4000-8000-${hex(i)}`, SERVICES[0]!)), route(SERVICES[2]!, SERVICES[0]!, { paths: ['~/(unclosed'] })];
    await assert.rejects(runInSlices(compileSteps({ version: 2, hash: 'h2', resources: bad }, serving, runtime), 0), /unclosed|invalid regex/);
    assert.equal(serving.router.match({ method: 'GET', host: 'x', path: '/', headers: {} })?.route.id, SERVICES[1]);
  });
});

/** What a delta push would carry from `before` to `after`: new or edited resources, and the ones gone. */
function changeBetween(before: readonly Resource[], after: readonly Resource[]): { updated: Resource[]; removed: { type: string; id: string }[] } {
  const key = (r: Resource) => `${r.type}/${r.id}`;
  const was = new Map(before.map((r) => [key(r), r.body] as const));
  const now = new Set(after.map(key));
  return {
    updated: after.filter((r) => was.get(key(r)) !== r.body),
    removed: before.filter((r) => !now.has(key(r))).map((r) => ({ type: r.type, id: r.id })),
  };
}
