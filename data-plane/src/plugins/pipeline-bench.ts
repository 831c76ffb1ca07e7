// Added latency per plugin through the real proxy (a plain script, not a
// test):  node data-plane/dist/plugins/pipeline-bench.js
// One keep-alive connection, sequential requests to a local upstream: the
// numbers are per-request round trips, compared between routes that differ
// only by their plugins.
import { Agent, request } from 'undici';
import { consumer, keyAuthCredential, plugin, route, service, startCompiledProxy, uuid } from '../compile/test-fixtures.js';
import { startUpstream } from '../proxy/test-support.js';

const up = await startUpstream((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
const S = uuid();
const C = uuid();
const routes: Record<string, string> = { none: uuid(), 'key-auth': uuid(), 'rate-limiting': uuid(), 'proxy-cache(hit)': uuid(), 'key-auth+rate-limiting': uuid() };
const px = await startCompiledProxy([
  service(S, { port: up.port }),
  ...Object.entries(routes).map(([n, id]) => route(id, S, { paths: [`/${encodeURIComponent(n)}`] })),
  consumer(C, { username: 'u' }),
  keyAuthCredential(uuid(), C, 'k'),
  plugin(uuid(), 'key-auth', {}, { route: routes['key-auth']! }),
  plugin(uuid(), 'rate-limiting', { second: 1e9 }, { route: routes['rate-limiting']! }),
  plugin(uuid(), 'proxy-cache', { strategy: 'memory' }, { route: routes['proxy-cache(hit)']! }),
  plugin(uuid(), 'key-auth', {}, { route: routes['key-auth+rate-limiting']! }),
  plugin(uuid(), 'rate-limiting', { second: 1e9 }, { route: routes['key-auth+rate-limiting']! }),
]);
const agent = new Agent({ connections: 1, pipelining: 1 });

async function run(name: string, n: number): Promise<number> {
  const url = `http://127.0.0.1:${px.port}/${encodeURIComponent(name)}`;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = await request(url, { dispatcher: agent, headers: { apikey: 'k' } });
    await r.body.dump();
  }
  return Number(process.hrtime.bigint() - t) / 1e3 / n;
}

for (const n of Object.keys(routes)) await run(n, 2_000);
const best: Record<string, number> = {};
for (let round = 0; round < 3; round++) for (const n of Object.keys(routes)) best[n] = Math.min(best[n] ?? Infinity, await run(n, 5_000));
for (const [n, us] of Object.entries(best)) console.log(`${n.padEnd(24)} ${us.toFixed(1)} µs/request  (${(us - best['none']!).toFixed(1)} vs none)`);
await agent.close();
await px.close();
await up.close();
