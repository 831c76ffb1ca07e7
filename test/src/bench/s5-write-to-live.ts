// S5: write → live on two data planes (p50/p99 over ctx.opts.writes writes),
// on a one-route config and again on the large route table, plus the bytes
// each change puts on the cluster stream, counted by a simulated data plane.
import { startDataPlane } from '../lib/processes.js';
import { bigTable } from './big-table.js';
import { onCleanup } from './cleanup.js';
import { newResult, type BenchContext, type ScenarioResult } from './context.js';
import { startPortico } from './portico.js';
import { connectSimNode, type SimPush } from './sim-data-plane.js';
import { median } from './stats.js';
import { ensureLiveService, writeToLive, type WriteToLive } from './write-to-live-core.js';
import { startCpu } from './system.js';

interface Case {
  config: string;
  wtl: WriteToLive;
  full_snapshot_bytes: number | null;
  delta_bytes_median: number | null;
  delta_bytes_max: number | null;
}

/** Writes made first and left out of the figures, as every scenario warms up before it measures: at least this many, for at least WARMUP_MS. */
const WARMUP_WRITES = 5;
const WARMUP_MS = 2000;

export async function s5(ctx: BenchContext): Promise<ScenarioResult> {
  const r = newResult('S5', `Write → live on two data planes over ${ctx.opts.writes} writes, and bytes per change`);
  const cases: Case[] = [];

  // 1 route: a fresh control plane and two data planes.
  {
    const p = await startPortico(ctx.plan, ctx.upstream.url, { label: 'portico-s5', dataPlanes: 2 });
    try {
      cases.push(await runCase(ctx, '1 route', p.cp.admin, p.cp.clusterAddress, p.dps.map((d) => d.status), p.dps.map((d) => d.proxy)));
    } finally {
      await p.stop();
    }
  }

  // The large table: two more data planes join the shared control plane.
  if (ctx.opts.routes > 0) {
    try {
      const big = await bigTable(ctx);
      const dps = [];
      for (const id of ['portico-s5-big-1', 'portico-s5-big-2']) {
        const dp = await startDataPlane({ controlPlane: big.portico.cp.clusterAddress, nodeId: id, cpu: startCpu(ctx.plan, ctx.plan.loadCpu) });
        onCleanup(id, () => dp.proc.stop('SIGTERM', 5000));
        dps.push(dp);
      }
      cases.push(await runCase(ctx, `${ctx.opts.routes} routes`, big.portico.cp.admin, big.portico.cp.clusterAddress, dps.map((d) => d.status), dps.map((d) => d.proxy)));
      for (const dp of dps) await dp.proc.stop('SIGTERM', 5000);
    } catch (err) {
      r.status = 'partial';
      r.reasons.push(`large table: ${String(err).split('\n')[0]}`);
    }
  }

  r.tables.push({
    title: `S5 — write → live on 2 data planes (${ctx.opts.writes} writes, one new route each)`,
    columns: ['config', 'p50 ms', 'p99 ms', 'min ms', 'max ms', 'full snapshot bytes', 'bytes per change (median)', 'bytes per change (max)'],
    rows: cases.map((c) => [c.config, c.wtl.p50_ms, c.wtl.p99_ms, c.wtl.min_ms, c.wtl.max_ms, c.full_snapshot_bytes ?? '–', c.delta_bytes_median ?? '–', c.delta_bytes_max ?? '–']),
  });
  r.notes.push(
    `Before the ${ctx.opts.writes} measured writes, warm-up writes made the same way for at least ${WARMUP_MS / 1000} s and ${WARMUP_WRITES} writes (not counted; the data planes had just started): ` +
      cases.map((c) => `${c.config}: ${c.wtl.warmup_ms.length} writes, max ${Math.max(...c.wtl.warmup_ms)} ms`).join('; ') +
      '.',
  );
  r.notes.push('bytes: the size of each gRPC ConfigPush message as a simulated data plane on the same stream received it (HTTP/2 framing excluded); the data plane itself does not expose a byte count yet.');
  r.data = { cases: cases.map((c) => ({ ...c, wtl: { ...c.wtl } })) };
  return r;
}

async function runCase(ctx: BenchContext, config: string, admin: string, cluster: string, statusUrls: string[], proxies: string[]): Promise<Case> {
  await ensureLiveService(admin, ctx.upstream.url, statusUrls);
  const sim = connectSimNode(cluster, `bench-sim-${config.replace(/\W+/g, '-')}`);
  try {
    const first = await waitFirst(sim.pushes);
    ctx.log(`S5 (${config}): ${ctx.opts.writes} writes…`);
    const before = sim.pushes.length;
    const wtl = await writeToLive(admin, proxies, ctx.opts.writes, { tag: config.replace(/\W+/g, ''), warmup: WARMUP_WRITES, warmupMs: WARMUP_MS });
    await new Promise((res) => setTimeout(res, 200)); // the simulated node sees the last push too
    const deltas = sim.pushes.slice(before).filter((p) => !p.full).map((p) => p.bytes);
    ctx.log(`  p50 ${wtl.p50_ms} ms, p99 ${wtl.p99_ms} ms; ${deltas.length} deltas, median ${median(deltas)} bytes`);
    return {
      config,
      wtl,
      full_snapshot_bytes: first.full ? first.bytes : null,
      delta_bytes_median: deltas.length ? median(deltas) : null,
      delta_bytes_max: deltas.length ? Math.max(...deltas) : null,
    };
  } finally {
    sim.close();
  }
}

async function waitFirst(pushes: SimPush[], timeoutMs = 60_000): Promise<SimPush> {
  const deadline = Date.now() + timeoutMs;
  while (pushes.length === 0) {
    if (Date.now() > deadline) throw new Error('simulated data plane got no push');
    await new Promise((res) => setTimeout(res, 10));
  }
  return pushes[0]!;
}
