import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { configHash, resourceKey, type Resource } from '@portico/shared';
import type { ConfigPush } from '@portico/proto';
import { Store } from '../store/index.js';
import { createStoreSnapshotSource } from '../snapshot/index.js';
import { startClusterServer, type ClusterServer } from './server.js';
import { TestNode, eventually } from './test-node.js';

const TOKEN = 'test-cluster-token-0123456789';
const service = (name: string) => ({ id: randomUUID(), name, host: `${name}.example.com`, port: 80, tags: null });

interface Rig {
  store: Store;
  server: ClusterServer;
  nodes: TestNode[];
  node(token?: string | null): TestNode;
}

/** A real store, snapshot source and server on an ephemeral port; everything closed afterwards. */
const withRig = (fn: (rig: Rig) => Promise<void>) => async () => {
  const store = Store.open(':memory:');
  const source = createStoreSnapshotSource(store);
  const server = await startClusterServer({ listen: '127.0.0.1:0', token: TOKEN, source });
  const nodes: TestNode[] = [];
  const rig: Rig = {
    store,
    server,
    nodes,
    node: (token = TOKEN) => {
      const n = new TestNode(server.port, token);
      nodes.push(n);
      return n;
    },
  };
  try {
    await fn(rig);
  } finally {
    for (const n of nodes) n.close();
    await server.close();
    source.close();
    store.close();
  }
};

/** Applies a push to a resource map the way a data plane would. */
function applyPush(held: Map<string, Resource>, p: ConfigPush): void {
  if (p.full) held.clear();
  for (const r of p.resources) held.set(resourceKey(r.type, r.id), r as Resource);
  for (const r of p.removed) held.delete(resourceKey(r.type, r.id));
}

test('cluster server: a new node gets a full snapshot, and its ACK shows it in sync in the view', withRig(async ({ store, server, node }) => {
  store.write('seed', (tx) => tx.insert('services', service('a')));
  const n = node();
  n.hello('dp-1');
  const p = await n.push(0);
  assert.equal(p.full, true);
  assert.equal(p.version, 1);
  assert.equal(p.hash, configHash(store.allResources()));
  assert.equal(p.resources.length, 1);
  await eventually(() => server.view.connectedCount() === 1);
  assert.equal(server.view.dataPlanes()[0]!.sync_status, 'unknown', 'before the ACK');
  n.ack(p);
  await eventually(() => server.view.dataPlanes()[0]?.sync_status === 'normal', 3000, 'ACK recorded');
  const dp = server.view.dataPlanes()[0]!;
  assert.equal(dp.id, 'dp-1');
  assert.equal(dp.hostname, 'dp-1.local');
  assert.equal(dp.ip, '127.0.0.1');
  assert.equal(dp.version, '0.1.0-test');
  assert.deepEqual(dp.labels, { zone: 'a' });
  assert.equal(dp.config_version, 1);
  assert.equal(dp.config_hash, p.hash);
  assert.equal(dp.connected, true);
  assert.ok(Math.abs(dp.last_seen - Date.now() / 1000) < 5);
}));

test('cluster server: a store write reaches the node as a delta on the last sent version whose result matches the hash', withRig(async ({ store, node }) => {
  const a = service('a');
  store.write('seed', (tx) => tx.insert('services', a));
  const n = node();
  n.hello('dp-1');
  const held = new Map<string, Resource>();
  const first = await n.push(0);
  applyPush(held, first);
  n.ack(first);
  const b = service('b');
  store.write('more', (tx) => {
    tx.insert('services', b);
    tx.update('services', { ...a, port: 81 });
  });
  const d = await n.push(1);
  assert.equal(d.full, false);
  assert.equal(d.base_version, first.version);
  assert.equal(d.version, 2);
  assert.deepEqual(d.resources.map((r) => r.id).sort(), [a.id, b.id].sort());
  applyPush(held, d);
  assert.equal(configHash(held.values()), d.hash);
  store.write('delete', (tx) => tx.remove('services', a.id));
  const d2 = await n.push(2);
  assert.equal(d2.base_version, 2, 'deltas chain on what was sent');
  assert.deepEqual(d2.removed, [{ type: 'services', id: a.id }]);
  applyPush(held, d2);
  assert.equal(configHash(held.values()), d2.hash);
}));

test('cluster server: a burst of 20 writes in one tick becomes one push of the last version', withRig(async ({ store, server, node }) => {
  const n = node();
  n.hello('dp-1');
  const first = await n.push(0);
  n.ack(first);
  for (let i = 0; i < 20; i++) store.write(`w${i}`, (tx) => tx.insert('services', service(`s${i}`)));
  const p = await n.push(1);
  assert.equal(p.version, 20);
  assert.equal(p.resources.length, 20);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(n.pushes.length, 2, 'no further pushes for versions already covered');
  n.ack(p);
  await eventually(() => server.view.dataPlanes()[0]?.config_version === 20);
}));

test('cluster server: a node that says hello with the current version and hash gets an empty delta; a foreign hash gets a full snapshot', withRig(async ({ store, server, node }) => {
  store.write('seed', (tx) => tx.insert('services', service('a')));
  const hash = configHash(store.allResources());
  const n = node();
  n.hello('dp-1', 1, hash);
  const p = await n.push(0);
  assert.deepEqual({ full: p.full, base: p.base_version, version: p.version, hash: p.hash, n: p.resources.length + p.removed.length }, { full: false, base: 1, version: 1, hash, n: 0 });
  n.ack(p);
  await eventually(() => server.view.dataPlanes()[0]?.sync_status === 'normal');
  const m = node();
  m.hello('dp-2', 1, 'ab'.repeat(32));
  const q = await m.push(0);
  assert.equal(q.full, true);
}));

test('cluster server: a NACK is shown in the view, the next push is full, and a stale-nonce ACK is ignored', withRig(async ({ store, server, node }) => {
  store.write('seed', (tx) => tx.insert('services', service('a')));
  const n = node();
  n.hello('dp-1');
  const first = await n.push(0);
  n.ack(first);
  await eventually(() => server.view.dataPlanes()[0]?.config_version === 1);
  store.write('bad', (tx) => tx.insert('services', service('b')));
  const bad = await n.push(1);
  assert.equal(bad.full, false);
  n.nack(bad, 'route r1: invalid regex', 1);
  await eventually(() => server.view.dataPlanes()[0]?.sync_status === 'config_rejected', 3000, 'NACK recorded');
  let dp = server.view.dataPlanes()[0]!;
  assert.equal(dp.last_error, 'route r1: invalid regex');
  assert.equal(dp.last_error_version, 2);
  assert.equal(dp.config_version, 1, 'still serving what it ACKed');
  n.ack(first); // an old nonce: must not flip the status back
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.view.dataPlanes()[0]!.sync_status, 'config_rejected');
  store.write('fix', (tx) => tx.insert('services', service('c')));
  const next = await n.push(2);
  assert.equal(next.full, true, 'after a NACK the node gets the whole config');
  assert.equal(next.version, 3);
  n.ack(next);
  await eventually(() => server.view.dataPlanes()[0]?.sync_status === 'normal');
  dp = server.view.dataPlanes()[0]!;
  assert.equal(dp.config_version, 3);
  assert.equal(dp.config_hash, next.hash);
}));

test('cluster server: a resync request gets a full snapshot of the current version', withRig(async ({ store, node }) => {
  store.write('seed', (tx) => tx.insert('services', service('a')));
  const n = node();
  n.hello('dp-1');
  const first = await n.push(0);
  n.ack(first);
  n.send({ resync: { reason: 'hash mismatch' } });
  const p = await n.push(1);
  assert.equal(p.full, true);
  assert.equal(p.version, 1);
  assert.notEqual(p.nonce, first.nonce, 'every push has a fresh nonce');
}));

test('cluster server: a wrong or missing token is refused with UNAUTHENTICATED and the node is not listed', withRig(async ({ server, node }) => {
  const wrong = node('not-the-token');
  wrong.hello('intruder');
  assert.equal((await wrong.ended()).code, grpc.status.UNAUTHENTICATED);
  const none = node(null);
  none.hello('intruder-2');
  const st = await none.ended();
  assert.equal(st.code, grpc.status.UNAUTHENTICATED);
  assert.ok(!st.details.includes(TOKEN));
  assert.equal(wrong.pushes.length + none.pushes.length, 0);
  assert.deepEqual(server.view.dataPlanes(), []);
}));

test('cluster server: a stream whose first message is not hello is ended with INVALID_ARGUMENT', withRig(async ({ server, node }) => {
  const n = node();
  n.send({ ack: { version: 1, nonce: 'x' } });
  assert.equal((await n.ended()).code, grpc.status.INVALID_ARGUMENT);
  assert.equal(server.view.dataPlanes().length, 0);
}));

test('cluster server: a node reconnecting with the same id replaces its old stream; a gone node stays listed as disconnected', withRig(async ({ server, node }) => {
  const old = node();
  old.hello('dp-1');
  await old.push(0);
  const fresh = node();
  fresh.hello('dp-1');
  await fresh.push(0);
  assert.equal((await old.ended()).code, grpc.status.ABORTED);
  await eventually(() => server.view.connectedCount() === 1);
  assert.equal(server.view.dataPlanes().length, 1);
  assert.equal(server.view.dataPlanes()[0]!.connected, true, "the old stream's end does not mark the node gone");
  fresh.close();
  await eventually(() => server.view.dataPlanes()[0]?.connected === false, 3000, 'disconnect noticed');
  assert.equal(server.view.connectedCount(), 0);
}));

test('cluster server: close() ends open streams promptly with UNAVAILABLE', withRig(async ({ server, node }) => {
  const n = node();
  n.hello('dp-1');
  await n.push(0);
  const idle = node(); // connected, never said hello
  idle.send({});
  const t0 = Date.now();
  await server.close();
  assert.ok(Date.now() - t0 < 1500, `close took ${Date.now() - t0} ms`);
  assert.equal((await n.ended()).code, grpc.status.UNAVAILABLE);
}));
