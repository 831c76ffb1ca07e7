// Turns a plugin's answer into the client response. Message answers go
// through respond-error.ts, the proxy's one writer of Kong-shaped bodies;
// raw answers (a cache hit) are written as the plugin prepared them. Headers
// plugins added for the client (rate-limit headers …) ride on both.
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { respondMessage } from '../proxy/respond-error.js';
import type { PluginContext } from './context.js';
import type { Answer, MessageAnswer } from './types.js';

/** Kong: a plugin failed in a way the client must not learn more about. */
export const PLUGIN_INTERNAL_ERROR: MessageAnswer = Object.freeze({ kind: 'message', status: 500, message: 'An unexpected error occurred' });

export function writeAnswer(res: ServerResponse, ctx: PluginContext, answer: Answer, server: string): void {
  if (answer.kind === 'message') {
    respondMessage(res, answer.status, answer.message, server, ctx.startedAt, answer.headers, ctx.responseHeaders);
    return;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  const headers = [...answer.headers, 'server', server, 'x-portico-response-latency', String(Math.round(performance.now() - ctx.startedAt))];
  if (ctx.responseHeaders !== null) headers.push(...ctx.responseHeaders);
  res.writeHead(answer.status, headers);
  res.end(ctx.method === 'HEAD' ? undefined : answer.body);
}
