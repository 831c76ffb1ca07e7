// Measures the time from an admin write to both data planes serving it:
// real control plane, two real data-plane processes, one real upstream. Each
// write creates a route with a fresh path; the clock stops when that path
// answers 200 through *both* proxies (polled back to back, so the figure
// includes at most one poll round trip of slack, ~0.2 ms on loopback).
//
//   node test/dist/bench/write-to-live.js [--writes 30] [--json out.json]
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { startControlPlane, startDataPlane } from '../lib/processes.js';
import { http, startUpstream, waitForVersion, writtenVersion } from '../lib/http.js';

const { values } = parseArgs({ options: { writes: { type: 'string', default: '30' }, json: { type: 'string' } } });
const writes = Number(values.writes);

const up = await startUpstream('bench');
const cp = await startControlPlane();
const dps = await Promise.all([startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'bench-1' }), startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'bench-2' })]);
const agent = new Agent({ connections: 4 });
try {
  const s = await http('PUT', `${cp.admin}/services/bench`, { url: up.url });
  await Promise.all(dps.map((d) => waitForVersion(d.status, writtenVersion(s))));

  const serves = async (base: string, path: string): Promise<boolean> => {
    const res = await request(`${base}${path}`, { dispatcher: agent });
    await res.body.dump();
    return res.statusCode === 200;
  };

  const samples: number[] = [];
  for (let i = 0; i < writes; i++) {
    const path = `/w${i}-${Date.now()}`;
    const t0 = process.hrtime.bigint();
    const r = await http('POST', `${cp.admin}/services/bench/routes`, { name: `w${i}`, paths: [path] });
    if (r.status !== 201) throw new Error(`write failed: ${r.status} ${r.body}`);
    const pending = new Set(dps.map((d) => d.proxy));
    while (pending.size > 0) {
      for (const base of [...pending]) if (await serves(base, path)) pending.delete(base);
    }
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, 20));
  }
  samples.sort((a, b) => a - b);
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  const result = {
    writes,
    p50_ms: round(pick(0.5)),
    p99_ms: round(pick(0.99)),
    max_ms: round(samples[samples.length - 1]!),
    min_ms: round(samples[0]!),
  };
  console.log(`write → live on 2 data planes over ${writes} writes: median ${result.p50_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms, min ${result.min_ms} ms`);
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
} finally {
  await agent.close();
  await Promise.all(dps.map((d) => d.proc.stop()));
  await cp.proc.stop();
  await up.close();
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
