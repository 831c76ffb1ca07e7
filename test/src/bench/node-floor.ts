// The Node floor: the least any Node gateway can pay to proxy a request.
// node:http in front, one undici Pool behind, the upstream's response streamed
// straight into ours with Pool.stream(). No routing, no plugins, no header
// rewriting beyond dropping hop-by-hop headers.
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { announce, stopOnSignal, upstreamArg } from './peer-args.js';

const pool = new Pool(upstreamArg(), { connections: 128, pipelining: 1 });
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

function forwardable(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in h) if (!HOP.has(k)) out[k] = h[k];
  return out;
}

const server = createServer((req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool.stream(
    { path: req.url ?? '/', method: req.method as 'GET', headers: forwardable(req.headers) as Record<string, string>, body: hasBody ? req : null },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, forwardable(headers));
      return res;
    },
    (err) => {
      if (!err) return;
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy(err);
    },
  );
});
server.keepAliveTimeout = 75_000;
server.listen(0, '127.0.0.1', () => announce(server));
stopOnSignal(async () => {
  server.close();
  server.closeAllConnections();
  await pool.close();
});
