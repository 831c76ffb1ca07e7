// Kong's plugin precedence (plugins_iterator.lua lookup_cfg) as a table: for
// every set of scopes configured, which instance applies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexPlugins, lookup, resolveRoute, type ScopedInstance } from './resolve.js';

const R = 'route-1';
const S = 'svc-1';
const C = 'consumer-1';
type Scope = 'RSC' | 'RC' | 'SC' | 'RS' | 'C' | 'R' | 'S' | 'G';
const ORDER: Scope[] = ['RSC', 'RC', 'SC', 'RS', 'C', 'R', 'S', 'G'];

let serial = 0;
function inst(scope: Scope, name = 'p', over: Partial<ScopedInstance> = {}): ScopedInstance {
  return {
    pluginId: `${name}-${scope}`,
    name,
    rank: 0,
    routeId: scope.includes('R') ? R : null,
    serviceId: scope.includes('S') ? S : null,
    consumerId: scope.includes('C') ? C : null,
    protocols: new Set(['http', 'https']),
    instance: { handlers: {} },
    serial: ++serial,
    ...over,
  };
}

describe('plugin precedence', () => {
  it('with a consumer: RSC > RC > SC > RS > C > R > S > global, for every pair of scopes', () => {
    for (let i = 0; i < ORDER.length; i++) {
      for (let j = i + 1; j < ORDER.length; j++) {
        const index = indexPlugins([inst(ORDER[j]!), inst(ORDER[i]!)]);
        const got = lookup(index.byName.get('p')!, R, S, C);
        assert.equal(got?.pluginId, `p-${ORDER[i]}`, `${ORDER[i]} should beat ${ORDER[j]}`);
      }
    }
  });

  it('without a consumer, consumer-scoped instances never apply', () => {
    const index = indexPlugins([inst('RSC'), inst('RC'), inst('C'), inst('S')]);
    assert.equal(lookup(index.byName.get('p')!, R, S, null)?.pluginId, 'p-S');
  });

  it('an instance applies only where all of its scope fields match', () => {
    const index = indexPlugins([inst('RS')]);
    assert.equal(lookup(index.byName.get('p')!, R, 'other-svc', null), undefined);
    assert.equal(lookup(index.byName.get('p')!, 'other-route', S, null), undefined);
  });

  it('resolveRoute: chains in rank order, consumer overlays only where they differ, protocols filter the chosen instance', () => {
    const auth = inst('G', 'auth', { rank: 0 });
    const limitRoute = inst('R', 'limit', { rank: 1 });
    const limitConsumer = inst('C', 'limit', { rank: 1 });
    const httpsOnly = inst('R', 'cache', { rank: 2, protocols: new Set(['https']) });
    const cacheGlobal = inst('G', 'cache', { rank: 2 });
    const plugins = resolveRoute(indexPlugins([httpsOnly, limitConsumer, cacheGlobal, limitRoute, auth]), { routeId: R, routeDigest: 'd' }, S, null)!;
    assert.deepEqual(plugins.http!.entries.map((e) => e.pluginId), ['auth-G', 'limit-R'], 'the route instance of cache wins and excludes http');
    assert.deepEqual(plugins.https!.entries.map((e) => e.pluginId), ['auth-G', 'limit-R', 'cache-R']);
    assert.deepEqual([...plugins.http!.byConsumer!.keys()], [C]);
    assert.deepEqual(plugins.http!.byConsumer!.get(C)!.map((e) => e.pluginId), ['auth-G', 'limit-C']);
    const again = resolveRoute(indexPlugins([httpsOnly, limitConsumer, cacheGlobal, limitRoute, auth]), { routeId: R, routeDigest: 'd' }, S, plugins);
    assert.equal(again, plugins, 'an identical resolution keeps the previous object');
  });

  it('resolveRoute: null when nothing applies (the proxy fast path)', () => {
    assert.equal(resolveRoute(indexPlugins([]), { routeId: R, routeDigest: 'd' }, S, null), null);
    assert.equal(resolveRoute(indexPlugins([inst('R', 'p', { routeId: 'elsewhere' })]), { routeId: R, routeDigest: 'd' }, S, null), null);
  });
});
