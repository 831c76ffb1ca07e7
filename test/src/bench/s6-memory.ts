// S6: resident memory (VmRSS from /proc/<pid>/status) of a data plane at one
// route and with the large table, and of a control plane before and after
// ctx.opts.streams simulated data planes connect and ACK. Both data-plane
// figures come from a fresh data plane that received its config and served
// nothing, so they compare route tables; the shared large-table data plane,
// which S3's traffic and S5's writes went through, is reported beside them.
import { rmSync } from 'node:fs';
import { waitForVersion } from '../lib/http.js';
import { startDataPlane } from '../lib/processes.js';
import { bigTable } from './big-table.js';
import { onCleanup } from './cleanup.js';
import { newResult, type BenchContext, type ScenarioResult } from './context.js';
import { startPortico, type Portico } from './portico.js';
import { connectSimNode, type SimNode } from './sim-data-plane.js';
import { sleep } from './stats.js';
import { rssKiB, startCpu } from './system.js';

const mib = (kib: number | null) => (kib === null ? '–' : (kib / 1024).toFixed(1));

export async function s6(ctx: BenchContext): Promise<ScenarioResult> {
  const r = newResult('S6', `Memory: data plane at 1 and ${ctx.opts.routes} routes, control plane with ${ctx.opts.streams} data-plane streams`);
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};

  const small = await startPortico(ctx.plan, ctx.upstream.url, { label: 'portico-s6' });
  try {
    await sleep(1000);
    const dp1 = rssKiB(small.dps[0]!.proc.pid);
    rows.push(['data plane', '1 route', mib(dp1)]);
    data['dp_1_route_kib'] = dp1;
    Object.assign(data, await streams(ctx, small, '1 route', rows));
  } finally {
    await small.stop();
  }

  if (ctx.opts.routes > 0) {
    try {
      const big = await bigTable(ctx);
      // A new replica joining the node pool: it gets the table over the stream and serves nothing.
      const fresh = await startDataPlane({ controlPlane: big.portico.cp.clusterAddress, nodeId: 'portico-s6-fresh', cpu: startCpu(ctx.plan, ctx.plan.loadCpu) });
      const stopFresh = onCleanup('portico-s6-fresh', async () => {
        await fresh.proc.stop('SIGTERM', 5000);
        rmSync(fresh.cacheDir, { recursive: true, force: true });
      });
      try {
        await waitForVersion(fresh.status, big.load.version, 120_000);
        await sleep(1000);
        const dpN = rssKiB(fresh.proc.pid);
        rows.push(['data plane', `${ctx.opts.routes} routes`, mib(dpN)]);
        data['dp_many_routes_kib'] = dpN;
      } finally {
        await stopFresh();
      }
      const worn = rssKiB(big.portico.dps[0]!.proc.pid);
      rows.push(['data plane', `${ctx.opts.routes} routes, after the traffic and writes of the scenarios before`, mib(worn)]);
      data['dp_many_routes_after_traffic_kib'] = worn;
      Object.assign(data, await streams(ctx, big.portico, `${ctx.opts.routes} routes`, rows));
    } catch (err) {
      r.status = 'partial';
      r.reasons.push(`large table: ${String(err).split('\n')[0]}`);
    }
  }
  r.tables.push({ title: 'S6 — resident memory (VmRSS)', columns: ['process', 'state', 'RSS MiB'], rows });
  r.notes.push('RSS after a 1 s settle, no collection forced by the bench (each process runs its own after a large change: docs/design.md, "Memory after a large change"); the control plane figure with streams is taken once every simulated node has ACKed the current version.');
  r.notes.push('The simulated streams accept packed pushes as data planes do; `data` has the time until all were in sync and the size of the first push each got.');
  r.data = data;
  return r;
}

async function streams(ctx: BenchContext, p: Portico, config: string, rows: (string | number)[][]): Promise<Record<string, unknown>> {
  const pid = p.cp.proc.pid;
  const before = rssKiB(pid);
  const nodes: SimNode[] = [];
  try {
    const t0 = performance.now();
    for (let i = 0; i < ctx.opts.streams; i++) nodes.push(connectSimNode(p.cp.clusterAddress, `bench-sim-${i}`));
    // p.version is the catch-all's version; a loaded table is newer, so wait for whatever each node got first.
    await Promise.all(nodes.map((n) => n.waitForVersion(1, 120_000)));
    const syncMs = Math.round(performance.now() - t0);
    await sleep(1000);
    const after = rssKiB(pid);
    const first = nodes[0]?.pushes[0];
    rows.push(['control plane', `${config}, 1 data plane`, mib(before)]);
    rows.push(['control plane', `${config}, + ${nodes.length} simulated data-plane streams`, mib(after)]);
    ctx.log(`S6 (${config}): ${nodes.length} streams synced in ${syncMs} ms; first push ${first?.bytes ?? '–'} bytes`);
    return { [`cp_${config.replace(/\W+/g, '_')}_kib`]: { before, after, streams: nodes.length, sync_ms: syncMs, first_push_bytes: first?.bytes ?? null } };
  } finally {
    for (const n of nodes) n.close();
  }
}
