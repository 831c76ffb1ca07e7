import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProxyKind } from './proxies.js';
import { roundOrder } from './round-order.js';

const p = (id: string, kind: ProxyKind) => ({ id, def: { kind } });
const all = [p('direct', 'reference'), p('nginx', 'nginx'), p('floor', 'floor'), p('fastify', 'node-peer'), p('portico', 'portico')];
const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id);

test('Portico runs next to the floor, after it in odd rounds and before it in even ones', () => {
  assert.deepEqual(ids(roundOrder(all, 1)), ['direct', 'nginx', 'floor', 'portico', 'fastify']);
  assert.deepEqual(ids(roundOrder(all, 2)), ['direct', 'nginx', 'portico', 'floor', 'fastify']);
  assert.deepEqual(ids(roundOrder(all, 3)), ids(roundOrder(all, 1)));
});

test('without the floor or Portico the declared order stands', () => {
  const noFloor = all.filter((x) => x.def.kind !== 'floor');
  assert.deepEqual(ids(roundOrder(noFloor, 2)), ids(noFloor));
  const noPortico = all.filter((x) => x.def.kind !== 'portico');
  assert.deepEqual(ids(roundOrder(noPortico, 2)), ids(noPortico));
});
