// S4: S1 on Portico while the admin API changes the config 10 times a second
// (a route created, the previous one deleted): throughput, p99 and errors
// against the same Portico in steady state. Every write becomes a push, a
// compile and a swap on the data plane under load.
import { http, waitForVersion, writtenVersion } from '../lib/http.js';
import { newResult, type BenchContext, type ScenarioResult } from './context.js';
import { measure, ratio } from './measure.js';
import { startPortico } from './portico.js';
import { sleep } from './stats.js';

const WRITES_PER_SECOND = 10;

export async function s4(ctx: BenchContext): Promise<ScenarioResult> {
  const r = newResult('S4', `Portico under config churn (${WRITES_PER_SECOND} admin writes/s) vs steady, c${ctx.opts.connections}`);
  const p = await startPortico(ctx.plan, ctx.upstream.url, { label: 'portico-s4' });
  try {
    const url = `${p.url}/100b`;
    const steady = await measure(ctx, { url, connections: ctx.opts.connections });

    let stop = false;
    const churn = { writes: 0, failed: 0, version: 0 };
    const loop = (async () => {
      let k = 0;
      while (!stop) {
        const t0 = performance.now();
        try {
          const w = k % 2 === 0
            ? await http('POST', `${p.cp.admin}/services/bench/routes`, { name: `churn-${k}`, paths: [`/churn-${k}`] })
            : await http('DELETE', `${p.cp.admin}/routes/churn-${k - 1}`);
          if (w.status === 201 || w.status === 204) {
            churn.writes++;
            churn.version = Math.max(churn.version, writtenVersion(w) || 0);
          } else churn.failed++;
        } catch {
          churn.failed++;
        }
        k++;
        await sleep(Math.max(0, 1000 / WRITES_PER_SECOND - (performance.now() - t0)));
      }
    })();
    const t0 = performance.now();
    let churned;
    try {
      churned = await measure(ctx, { url, connections: ctx.opts.connections });
    } finally {
      stop = true;
      await loop;
    }
    const seconds = (performance.now() - t0) / 1000;
    let applied = 'yes';
    if (churn.version > 0) {
      try {
        await waitForVersion(p.dps[0]!.status, churn.version, 15_000);
      } catch {
        applied = `no (data plane behind version ${churn.version})`;
      }
    }
    r.tables.push({
      title: `S4 — 100-byte body, c${ctx.opts.connections}, one route + ${WRITES_PER_SECOND} writes/s`,
      columns: ['Portico', 'req/s', 'p50 ms', 'p99 ms', 'errors', '÷ steady'],
      rows: [
        ['steady', steady.rps, steady.p50_ms, steady.p99_ms, steady.errors, '1.00×'],
        ['under churn', churned.rps, churned.p50_ms, churned.p99_ms, churned.errors, ratio(churned.rps, steady.rps)],
      ],
    });
    r.notes.push(`${churn.writes} admin writes in ${seconds.toFixed(1)} s (${(churn.writes / seconds).toFixed(1)}/s, ${churn.failed} failed); last version live on the data plane: ${applied}`);
    r.data = { steady: { ...steady, runs: undefined }, churn: { ...churned, runs: undefined }, writes: churn.writes, failed_writes: churn.failed, seconds, last_version_applied: applied };
    if (churn.failed > 0 || applied !== 'yes') r.status = 'partial';
    return r;
  } finally {
    await p.stop();
  }
}
