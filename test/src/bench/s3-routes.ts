// S3: Portico with a large route table (prefixes, 10% regex, hosts, header
// matches) against the same requests on one catch-all route, plus the router
// micro-benchmark from the data plane. The two configs live on two Porticos,
// each data plane pinned to the proxy CPU (one idles while the other is
// loaded), and their runs alternate so the ratio compares runs side by side.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../lib/processes.js';
import { bigTable } from './big-table.js';
import { onCleanup } from './cleanup.js';
import { newResult, type BenchContext, type ScenarioResult } from './context.js';
import { formatRatio, interleave, measurementData, medianRatio, ratioData } from './measure.js';
import { spawnPinned } from './peer-process.js';
import { startPortico } from './portico.js';
import { median } from './stats.js';
import { wrkMixScript } from './routes-gen.js';

const MATCH_BENCH = fileURLToPath(new URL('../../../data-plane/dist/router/match-bench.js', import.meta.url));

export async function s3(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.opts.routes;
  const r = newResult('S3', `${n.toLocaleString('en-US')} routes vs 1 route (same request mix), plus the router micro-benchmark`);
  const big = await bigTable(ctx);
  const script = mixScript(big.requests);
  // The same request mix, all answered by the catch-all route.
  const small = await startPortico(ctx.plan, ctx.upstream.url, { label: 'portico-s3' });
  const [one, many] = await interleave(ctx, [
    { label: '1 route', wrk: { url: small.url, connections: ctx.opts.connections, script } },
    { label: `${n} routes`, wrk: { url: big.portico.url, connections: ctx.opts.connections, script } },
  ]).finally(() => small.stop());
  r.tables.push({
    title: `S3 — request mix over ${big.requests.length} routes (hosts, regex, headers), 100-byte body, c${ctx.opts.connections}`,
    columns: ['routes', 'req/s', 'p50 ms', 'p99 ms', 'errors', '÷ 1 route'],
    rows: [
      ['1 (catch-all)', one.rps, one.p50_ms, one.p99_ms, one.errors, '1.00×'],
      [`${n} + catch-all`, many.rps, many.p50_ms, many.p99_ms, many.errors, formatRatio(medianRatio(many.runs, one.runs))],
    ],
  });
  r.notes.push(
    `Two data planes, one per config, alternated run by run for ${ctx.opts.runs} round(s); req/s is the median over the rounds, p50 and p99 are over every request of every round pooled. ` +
      '÷ 1 route is the median over rounds of (large table req/s ÷ 1-route req/s in the same round).',
  );
  r.notes.push(`routes loaded with ${big.load.method} in ${Math.round(big.load.ms)} ms (until the data plane served config version ${big.load.version})${big.load.note ? `; ${big.load.note}` : ''}`);
  r.data = { routes: n, load: big.load, one_route: measurementData(one), many_routes: measurementData(many), ratio: ratioData(many.runs, one.runs) };

  // The router alone, on the proxy CPU, in separate processes: one process's
  // figure moved 1.1–2.4 µs with the host within an hour, so it gets the
  // method's repeats and median like every other figure here.
  try {
    const runs: MatchLine[][] = [];
    for (let i = 0; i < (ctx.opts.quick ? 1 : MATCH_RUNS); i++) runs.push(await runMatchBench(ctx));
    const lines = medianLines(runs);
    r.tables.push({
      title: 'S3 — router micro-benchmark (node data-plane/dist/router/match-bench.js)',
      columns: ['routes', 'median ns/match', 'each run', 'build ms', 'matched'],
      rows: lines.map((l) => [l.routes, l.ns, l.runs_ns.join(' / '), l.build_ms, l.matched]),
    });
    r.notes.push(`The micro-benchmark ran ${runs.length} time(s), each a process of its own; its median ns/match and build ms are the medians of those runs.`);
    r.data['match_bench'] = lines;
  } catch (err) {
    r.status = 'partial';
    r.reasons.push(`router micro-benchmark failed: ${String(err).split('\n')[0]}`);
  }
  return r;
}

function mixScript(requests: Parameters<typeof wrkMixScript>[0]): string {
  const dir = tempDir('portico-bench-lua-');
  onCleanup('lua dir', () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'mix.lua');
  writeFileSync(path, wrkMixScript(requests));
  return path;
}

/** Processes of match-bench per bench run (one in --quick). */
const MATCH_RUNS = 3;

interface MatchLine {
  routes: number;
  ns: number;
  build_ms: number;
  matched: string;
}

/** Per route count: the median of the runs' figures, and each run's ns. */
function medianLines(runs: readonly MatchLine[][]): (MatchLine & { runs_ns: number[] })[] {
  return runs[0]!.map((first) => {
    const same = runs.map((run) => run.find((l) => l.routes === first.routes)).filter((l): l is MatchLine => l !== undefined);
    return { ...first, ns: median(same.map((l) => l.ns)), build_ms: median(same.map((l) => l.build_ms)), runs_ns: same.map((l) => l.ns) };
  });
}

async function runMatchBench(ctx: BenchContext): Promise<MatchLine[]> {
  const p = spawnPinned(ctx.plan, ctx.plan.proxyCpu, 'match-bench', process.execPath, [MATCH_BENCH]);
  const code = await new Promise<number | null>((resolve) => p.child.once('close', resolve));
  await p.stop();
  if (code !== 0) throw new Error(`match-bench exited ${code}: ${p.output.slice(-5).join(' ')}`);
  const out: MatchLine[] = [];
  for (const line of p.output) {
    const m = /routes=\s*(\d+)\s+median=\s*(\d+) ns\/match\s+\(build ([\d.]+) ms, (\d+\/\d+) requests matched\)/.exec(line);
    if (m) out.push({ routes: Number(m[1]), ns: Number(m[2]), build_ms: Number(m[3]), matched: m[4]! });
  }
  if (out.length === 0) throw new Error(`no result lines in match-bench output: ${p.output.join(' ')}`);
  return out;
}
