// @fastify/http-proxy on fastify, as its README sets it up: one upstream, no
// prefix, logging off (the defaults a user would pick).
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';
import type { Server } from 'node:http';
import { announce, stopOnSignal, upstreamArg } from './peer-args.js';

const app = Fastify({ logger: false });
await app.register(proxy, { upstream: upstreamArg() });
await app.listen({ port: 0, host: '127.0.0.1' });
announce(app.server as Server);
stopOnSignal(() => app.close());
