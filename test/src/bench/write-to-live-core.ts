// Write → live: the time from an admin write to every data plane serving it.
// Each write creates a route with a fresh path on a service whose upstream
// path is /4k; the clock stops when that path answers the 4 KiB body through
// *every* proxy (polled back to back, so the figure includes at most one poll
// round trip of slack, ~0.2 ms on loopback). The 4 KiB body tells the new
// route apart from a catch-all route that would answer 100 bytes. Warm-up
// writes (at least `warmup`, and for at least `warmupMs`) are made the same
// way first and reported apart: for about a second after a data plane has
// loaded a large table, its changes run cold code and share the CPU with the
// collection of the load's garbage and its first disk-cache writes.
import { Agent, request } from 'undici';
import { http, waitForVersion, writtenVersion } from '../lib/http.js';
import { quantile, round, sleep } from './stats.js';

export interface WriteToLive {
  writes: number;
  p50_ms: number;
  p99_ms: number;
  min_ms: number;
  max_ms: number;
  samples_ms: number[];
  /** The warm-up writes before the measured ones (not in the figures above). */
  warmup_ms: number[];
}

export async function ensureLiveService(admin: string, upstream: string, statusUrls: string[]): Promise<void> {
  const s = await http('PUT', `${admin}/services/wtl`, { url: `${upstream}/4k` });
  if (s.status !== 200) throw new Error(`PUT /services/wtl: ${s.status} ${s.body}`);
  await Promise.all(statusUrls.map((u) => waitForVersion(u, writtenVersion(s), 60_000)));
}

export async function writeToLive(admin: string, proxies: string[], writes: number, opts: { timeoutMs?: number; tag?: string; warmup?: number; warmupMs?: number } = {}): Promise<WriteToLive> {
  const agent = new Agent({ connections: 4 });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const tag = opts.tag ?? `${Date.now()}`;
  const serves = async (base: string, path: string): Promise<boolean> => {
    const res = await request(`${base}${path}`, { dispatcher: agent });
    const body = await res.body.arrayBuffer();
    return res.statusCode === 200 && body.byteLength === 4096;
  };
  const samples: number[] = [];
  const warm: number[] = [];
  const warmupUntil = performance.now() + (opts.warmupMs ?? 0);
  const warming = (i: number): boolean => i < (opts.warmup ?? 0) || (samples.length === 0 && performance.now() < warmupUntil);
  try {
    for (let i = 0; samples.length < writes; i++) {
      const path = `/wtl-${tag}-${i}`;
      const t0 = process.hrtime.bigint();
      const r = await http('POST', `${admin}/services/wtl/routes`, { name: `wtl-${tag}-${i}`, paths: [path] });
      if (r.status !== 201) throw new Error(`write failed: ${r.status} ${r.body}`);
      const pending = new Set(proxies);
      const deadline = Date.now() + timeoutMs;
      while (pending.size > 0) {
        for (const base of [...pending]) if (await serves(base, path)) pending.delete(base);
        if (Date.now() > deadline) throw new Error(`write ${i} (${path}) not live on ${[...pending].join(', ')} within ${timeoutMs} ms`);
      }
      (warming(i) ? warm : samples).push(Number(process.hrtime.bigint() - t0) / 1e6);
      await sleep(20);
    }
  } finally {
    await agent.close();
  }
  return {
    writes,
    p50_ms: round(quantile(samples, 0.5)),
    p99_ms: round(quantile(samples, 0.99)),
    min_ms: round(Math.min(...samples)),
    max_ms: round(Math.max(...samples)),
    samples_ms: samples.map((s) => round(s, 3)),
    warmup_ms: warm.map((s) => round(s, 3)),
  };
}
