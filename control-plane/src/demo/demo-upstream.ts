// The demo's backend: echoes what it received, so a user sees exactly what
// the gateway forwarded (path after strip_path, X-Forwarded-*, Host).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startEchoUpstream(host: string, port: number, name = 'demo-upstream'): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ upstream: name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }, null, 2) + '\n';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
