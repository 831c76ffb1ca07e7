// fast-gateway with one catch-all route to the upstream (its README's setup).
import gateway from 'fast-gateway';
import type { Server } from 'node:http';
import { announce, stopOnSignal, upstreamArg } from './peer-args.js';

const gw = gateway({ routes: [{ prefix: '', target: upstreamArg() }] });
const server = (await gw.start(0, '127.0.0.1')) as unknown as Server;
announce(server);
stopOnSignal(() => gw.close());
