// S4: S1 on Portico while the admin API changes the config 10 times a second
// (a route created, the previous one deleted): throughput, p99 and errors
// against the same Portico in steady state. Every write becomes a push, a
// compile and a swap on the data plane under load. Steady and churn windows
// alternate (steady, churn, steady, churn…): the churn loop writes only while
// a churn window runs, and each churn run is compared with the steady run
// just before it.
import { http, waitForVersion, writtenVersion } from '../lib/http.js';
import { newResult, type BenchContext, type ScenarioResult } from './context.js';
import { formatRatio, interleave, measurementData, medianRatio, ratioData } from './measure.js';
import { startPortico, type Portico } from './portico.js';
import { sleep } from './stats.js';
import type { WrkResult } from './wrk.js';

const WRITES_PER_SECOND = 10;

export async function s4(ctx: BenchContext): Promise<ScenarioResult> {
  const r = newResult('S4', `Portico under config churn (${WRITES_PER_SECOND} admin writes/s) vs steady, c${ctx.opts.connections}`);
  const p = await startPortico(ctx.plan, ctx.upstream.url, { label: 'portico-s4' });
  const churn = startChurn(p);
  let applied = 'yes';
  try {
    const wrk = { url: `${p.url}/100b`, connections: ctx.opts.connections };
    const duringChurn = async (run: () => Promise<WrkResult>): Promise<WrkResult> => {
      churn.on();
      try {
        return await run();
      } finally {
        await churn.off();
        // The next steady run starts once the data plane has caught up, so it measures a quiet data plane.
        if (churn.stats.version > 0) {
          try {
            await waitForVersion(p.dps[0]!.status, churn.stats.version, 15_000);
            applied = 'yes';
          } catch {
            applied = `no (data plane behind version ${churn.stats.version})`;
          }
        }
      }
    };
    const [steady, churned] = await interleave(ctx, [
      { label: 'steady', wrk },
      // Warmed up under churn too: the first churn round must not be the one that runs its code cold.
      { label: 'churn', wrk, around: duringChurn },
    ]);

    const { writes, failed, seconds } = churn.stats;
    r.tables.push({
      title: `S4 — 100-byte body, c${ctx.opts.connections}, one route + ${WRITES_PER_SECOND} writes/s`,
      columns: ['Portico', 'req/s', 'p50 ms', 'p99 ms', 'errors', '÷ steady'],
      rows: [
        ['steady', steady.rps, steady.p50_ms, steady.p99_ms, steady.errors, '1.00×'],
        ['under churn', churned.rps, churned.p50_ms, churned.p99_ms, churned.errors, formatRatio(medianRatio(churned.runs, steady.runs))],
      ],
    });
    r.notes.push(
      `Steady and churn runs alternated for ${ctx.opts.runs} round(s); req/s is the median over the rounds, p50 and p99 are over every request of every round pooled. ` +
        '÷ steady is the median over rounds of (churn req/s ÷ req/s of the steady run just before it).',
    );
    r.notes.push(`${writes} admin writes in ${seconds.toFixed(1)} s of churn windows, warm-up included (${(writes / seconds).toFixed(1)}/s, ${failed} failed); last version live on the data plane: ${applied}`);
    r.data = { steady: measurementData(steady), churn: measurementData(churned), ratio: ratioData(churned.runs, steady.runs), writes, failed_writes: failed, seconds, last_version_applied: applied };
    if (failed > 0 || applied !== 'yes' || steady.errors > 0 || churned.errors > 0) r.status = 'partial';
    return r;
  } finally {
    await churn.stop();
    await p.stop();
  }
}

interface Churn {
  /** Starts writing (WRITES_PER_SECOND, a route created, the previous one deleted). */
  on(): void;
  /** Stops writing; resolves once the write in flight, if any, has answered. */
  off(): Promise<void>;
  stop(): Promise<void>;
  /** Counts over the churn windows only. */
  stats: { writes: number; failed: number; version: number; seconds: number };
}

function startChurn(p: Portico): Churn {
  const stats = { writes: 0, failed: 0, version: 0, seconds: 0 };
  let writing = false;
  let stopped = false;
  let idle: () => void = () => {};
  let windowStart = 0;
  const loop = (async () => {
    let k = 0;
    while (!stopped) {
      if (!writing) {
        idle();
        await sleep(10);
        continue;
      }
      const t0 = performance.now();
      try {
        // k carries over between windows, so a route created at the end of one is deleted in the next.
        const w = k % 2 === 0
          ? await http('POST', `${p.cp.admin}/services/bench/routes`, { name: `churn-${k}`, paths: [`/churn-${k}`] })
          : await http('DELETE', `${p.cp.admin}/routes/churn-${k - 1}`);
        if (w.status === 201 || w.status === 204) {
          stats.writes++;
          stats.version = Math.max(stats.version, writtenVersion(w) || 0);
        } else stats.failed++;
      } catch {
        stats.failed++;
      }
      k++;
      await sleep(Math.max(0, 1000 / WRITES_PER_SECOND - (performance.now() - t0)));
    }
    idle();
  })();
  return {
    stats,
    on() {
      writing = true;
      windowStart = performance.now();
    },
    off() {
      if (!writing) return Promise.resolve();
      writing = false;
      stats.seconds += (performance.now() - windowStart) / 1000;
      return new Promise<void>((resolve) => (idle = resolve));
    },
    async stop() {
      writing = false;
      stopped = true;
      await loop;
    },
  };
}
