// Measures the time from an admin write to both data planes serving it:
// real control plane, two real data-plane processes, one real upstream (the
// same measurement as `pnpm bench -- --only S5`, without nginx or pinning).
//
//   node test/dist/bench/write-to-live.js [--writes 30] [--json out.json]
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { startControlPlane, startDataPlane } from '../lib/processes.js';
import { startUpstream } from '../lib/http.js';
import { cleanupAll, installSignalCleanup, onCleanup } from './cleanup.js';
import { ensureLiveService, writeToLive } from './write-to-live-core.js';

const { values } = parseArgs({ options: { writes: { type: 'string', default: '30' }, json: { type: 'string' } } });
const writes = Number(values.writes);

installSignalCleanup();
try {
  const up = await startUpstream('bench');
  onCleanup('upstream', () => up.close());
  // The echo upstream answers JSON; route bodies are told apart by size, so give it a /4k path answer.
  up.server.removeAllListeners('request');
  up.server.on('request', (req, res) => {
    req.resume();
    const body = req.url?.startsWith('/4k') ? 'y'.repeat(4096) : 'x'.repeat(100);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
  });
  const cp = await startControlPlane();
  onCleanup('cp', () => cp.proc.stop());
  const dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'bench-1' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'bench-2' })]);
  for (const d of dps) onCleanup(d.nodeId, () => d.proc.stop());
  await ensureLiveService(cp.admin, up.url, dps.map((d) => d.status));
  const result = await writeToLive(cp.admin, dps.map((d) => d.proxy), writes);
  console.log(`write → live on 2 data planes over ${writes} writes: median ${result.p50_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms, min ${result.min_ms} ms`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ ...result, samples_ms: undefined }, null, 2));
} finally {
  await cleanupAll();
}
