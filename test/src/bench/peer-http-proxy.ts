// http-proxy behind a node:http server with `proxy.web()`, with a keep-alive
// agent (without one every request would open a new upstream connection).
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';
import { announce, stopOnSignal, upstreamArg } from './peer-args.js';

const proxy = httpProxy.createProxyServer({ target: upstreamArg(), agent: new Agent({ keepAlive: true, maxSockets: 128 }) });
const server = createServer((req, res) =>
  proxy.web(req, res, {}, () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  }),
);
server.keepAliveTimeout = 75_000;
server.listen(0, '127.0.0.1', () => announce(server));
stopOnSignal(() => {
  server.close();
  server.closeAllConnections();
});
