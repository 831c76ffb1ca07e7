// S1: one route, every proxy measured the same way — c<N> throughput with
// p50/p99 per body size, then c1 latency — and the ratios that make the
// numbers portable across machines: to the Node floor, to the best Node
// gateway from npm, and to nginx.
import { aborting } from './cleanup.js';
import { newResult, type BenchContext, type ScenarioResult } from './context.js';
import { measure, ratio, type Measurement } from './measure.js';
import { PROXIES, type ProxyKind } from './proxies.js';

export interface S1Row {
  proxy: string;
  label: string;
  kind: ProxyKind;
  body: string;
  c: Measurement;
  c1: Measurement | null;
}

export async function s1(ctx: BenchContext): Promise<ScenarioResult> {
  const r = newResult('S1', `One route: throughput (c${ctx.opts.connections}) and latency (c1) per proxy`);
  const rows: S1Row[] = [];
  const failures: string[] = [];
  for (const def of PROXIES) {
    if (aborting()) break;
    ctx.log(`S1: ${def.label}`);
    let started: { url: string; stop(): Promise<void> } | undefined;
    try {
      started = await def.start(ctx);
      for (const body of ctx.opts.bodies) {
        const url = `${started.url}/${body}`;
        const c = await measure(ctx, { url, connections: ctx.opts.connections });
        // c1 only on the small body: it is the per-request cost, not bandwidth.
        const c1 = body === '100b' ? await measure(ctx, { url, connections: 1, durationS: ctx.opts.c1DurationS }, { warmup: false }) : null;
        rows.push({ proxy: def.id, label: def.label, kind: def.kind, body, c, c1 });
        ctx.log(`  ${body}: ${c.rps} req/s, p50 ${c.p50_ms} ms, p99 ${c.p99_ms} ms, errors ${c.errors}${c1 ? `; c1 p50 ${c1.p50_ms} ms` : ''}`);
      }
    } catch (err) {
      failures.push(`${def.label}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      ctx.log(`  failed: ${String(err)}`);
    } finally {
      await started?.stop();
    }
  }

  for (const body of ctx.opts.bodies) {
    const at = rows.filter((x) => x.body === body);
    const floor = at.find((x) => x.kind === 'floor')?.c.rps;
    const nginx = at.find((x) => x.kind === 'nginx')?.c.rps;
    const bestPeer = at.filter((x) => x.kind === 'node-peer').sort((a, b) => b.c.rps - a.c.rps)[0];
    r.tables.push({
      title: `S1 — ${body === '100b' ? '100-byte' : '4 KiB'} body, c${ctx.opts.connections} (c1 p50 on the 100-byte body)`,
      columns: ['proxy', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'c1 p50 ms', '÷ Node floor', `÷ best Node peer${bestPeer ? ` (${bestPeer.proxy})` : ''}`, '÷ nginx'],
      rows: at.map((x) => [
        x.label,
        x.c.rps,
        x.c.p50_ms,
        x.c.p99_ms,
        x.c.errors + (x.c1?.errors ?? 0),
        x.c1 ? x.c1.p50_ms : '–',
        x.kind === 'reference' ? '–' : ratio(x.c.rps, floor),
        x.kind === 'reference' ? '–' : ratio(x.c.rps, bestPeer?.c.rps),
        x.kind === 'reference' ? '–' : ratio(x.c.rps, nginx),
      ]),
    });
  }
  r.data['rows'] = rows.map((x) => ({ ...x, c: strip(x.c), c1: x.c1 ? strip(x.c1) : null }));
  r.notes.push('Ratios are req/s of the row ÷ req/s of the reference at the same body size; above 1.00× the row is faster.');
  if (failures.length > 0) {
    r.status = rows.length > 0 ? 'partial' : 'failed';
    r.reasons.push(...failures.map((f) => `failed: ${f}`));
  }
  return r;
}

/** Keeps the per-run numbers but drops nothing the JSON reader needs. */
function strip(m: Measurement) {
  return { rps: m.rps, p50_ms: m.p50_ms, p99_ms: m.p99_ms, errors: m.errors, runs: m.runs.map((x) => ({ rps: x.rps, p50_ms: x.p50_ms, p99_ms: x.p99_ms, errors: x.errors })) };
}
