import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import type { CompiledConfig, CompiledRoute, CompiledService } from '../compile/types.js';
import { PluginContext } from '../plugins/context.js';
import { identityOf } from '../plugins/identity.js';
import { applyHeaderEdits } from './plugin-edits.js';

const context = () =>
  new PluginContext({ headers: {} } as IncomingMessage, {} as CompiledConfig, {} as CompiledRoute, {} as CompiledService, 'GET', '/', '', '127.0.0.1', 0);
const prepared = () => ['Host', 'svc', 'X-Consumer-ID', 'forged', 'apikey', 'k', 'Content-Length', '3'];

test('header edits: sets replace client-sent values whatever their case, clears remove, the last edit of a name wins', () => {
  const ctx = context();
  ctx.setUpstreamHeader('x-a', '1');
  ctx.clearUpstreamHeader('x-a');
  ctx.clearUpstreamHeader('x-b');
  ctx.setUpstreamHeader('x-b', '2');
  ctx.setUpstreamHeader('x-consumer-id', 'alice');
  ctx.clearUpstreamHeader('apikey');
  assert.deepEqual(applyHeaderEdits(prepared(), ctx, null), ['Host', 'svc', 'Content-Length', '3', 'x-b', '2', 'x-consumer-id', 'alice']);
});

test('header edits: a compiled identity is shared until another edit, which copies it and leaves it intact', () => {
  const identity = identityOf({ id: 'c1', username: 'alice', customId: null }, 'cred-1');
  const ctx = context();
  ctx.editUpstreamHeaders(identity.edits);
  assert.equal(ctx.upstreamEdits, identity.edits, 'no copy per request');
  ctx.clearUpstreamHeader('x-consumer-username'); // e.g. a later plugin
  assert.notEqual(ctx.upstreamEdits, identity.edits);
  assert.equal(identity.edits.length, 10);
  assert.deepEqual(applyHeaderEdits(prepared(), ctx, null), ['Host', 'svc', 'apikey', 'k', 'Content-Length', '3', 'x-consumer-id', 'c1', 'x-credential-identifier', 'cred-1']);
  // The next request on the same credential starts from the untouched list.
  const next = context();
  next.editUpstreamHeaders(identity.edits);
  assert.deepEqual(applyHeaderEdits([], next, null), ['x-consumer-id', 'c1', 'x-consumer-username', 'alice', 'x-credential-identifier', 'cred-1']);
});

test('header edits: a buffered body is framed anew', () => {
  const ctx = context();
  assert.deepEqual(applyHeaderEdits(prepared(), ctx, Buffer.from('hello')), ['Host', 'svc', 'X-Consumer-ID', 'forged', 'apikey', 'k', 'content-length', '5']);
});
