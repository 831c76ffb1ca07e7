// The proxies S1 compares, all pointed at the same nginx upstream. Each is
// pinned to the proxy CPU; S1 starts them all and measures one at a time, so
// the others sit idle on that CPU while one is loaded.
import type { BenchContext } from './context.js';
import { startNginxProxy } from './nginx.js';
import { startNodePeer } from './peer-process.js';
import { startPortico } from './portico.js';

export type ProxyKind = 'reference' | 'nginx' | 'floor' | 'node-peer' | 'portico';

export interface ProxyDef {
  id: string;
  label: string;
  kind: ProxyKind;
  start(ctx: BenchContext): Promise<{ url: string; stop(): Promise<void> }>;
}

const upstreamUrl = (ctx: BenchContext) => ctx.upstream.url;

export const PROXIES: ProxyDef[] = [
  { id: 'direct', label: 'direct to upstream (no proxy)', kind: 'reference', start: async (ctx) => ({ url: upstreamUrl(ctx), stop: async () => {} }) },
  { id: 'nginx', label: 'nginx (proxy_pass, keepalive 64)', kind: 'nginx', start: (ctx) => startNginxProxy(ctx.plan, upstreamUrl(ctx)) },
  { id: 'node-floor', label: 'Node floor (node:http + undici Pool.stream)', kind: 'floor', start: (ctx) => startNodePeer(ctx.plan, 'node-floor', 'node-floor.js', upstreamUrl(ctx)) },
  { id: 'fastify-http-proxy', label: '@fastify/http-proxy', kind: 'node-peer', start: (ctx) => startNodePeer(ctx.plan, 'fastify-http-proxy', 'peer-fastify.js', upstreamUrl(ctx)) },
  { id: 'fast-gateway', label: 'fast-gateway', kind: 'node-peer', start: (ctx) => startNodePeer(ctx.plan, 'fast-gateway', 'peer-fast-gateway.js', upstreamUrl(ctx)) },
  { id: 'http-proxy', label: 'http-proxy (node:http + proxy.web)', kind: 'node-peer', start: (ctx) => startNodePeer(ctx.plan, 'http-proxy', 'peer-http-proxy.js', upstreamUrl(ctx)) },
  { id: 'portico', label: 'Portico (1 data plane, 1 route)', kind: 'portico', start: (ctx) => startPortico(ctx.plan, upstreamUrl(ctx)) },
];
