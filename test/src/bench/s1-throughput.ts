// S1: one route, every proxy measured the same way — c<N> throughput with
// p50/p99 per body size, then c1 latency — and the ratios that make the
// numbers portable across machines: to the Node floor, to the best Node
// gateway from npm, and to nginx. Every proxy is started first and idles
// while the others run; then each round runs every proxy once per body, so
// a ratio compares runs taken minutes apart at most, never a whole proxy's
// block against another's.
import { aborting } from './cleanup.js';
import { newResult, type BenchContext, type ScenarioResult } from './context.js';
import { formatRatio, measurementData, medianOfRounds, medianRatio, ratioData, runLine, runOnce, summarize, warmUp, type Measurement } from './measure.js';
import { PROXIES, type ProxyDef, type ProxyKind } from './proxies.js';
import { roundOrder } from './round-order.js';
import { round } from './stats.js';
import type { WrkResult } from './wrk.js';

export interface S1Row {
  proxy: string;
  label: string;
  kind: ProxyKind;
  body: string;
  c: Measurement;
  c1: Measurement | null;
}

interface Running {
  def: ProxyDef;
  url: string;
  stop(): Promise<void>;
  /** c<N> runs per body, one per round. */
  c: Map<string, WrkResult[]>;
  /** c1 runs on the 100-byte body, one per round. */
  c1: WrkResult[];
}

// c1 only on the small body: it is the per-request cost, not bandwidth.
const C1_BODY = '100b';

export async function s1(ctx: BenchContext): Promise<ScenarioResult> {
  const r = newResult('S1', `One route: throughput (c${ctx.opts.connections}) and latency (c1) per proxy`);
  const failures: string[] = [];
  const running: Running[] = [];
  const url = (p: Running, body: string) => `${p.url}/${body}`;

  /** Runs `step` for `p`; a failure drops that proxy from the scenario (stopped, no rows) and the rest carry on. */
  const guarded = async (p: Running, what: string, step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (err) {
      if (aborting()) return;
      failures.push(`${p.def.label}: ${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      ctx.log(`  ${p.def.id} failed (${what}): ${String(err)}`);
      running.splice(running.indexOf(p), 1);
      await p.stop();
    }
  };

  try {
    // Start everything first, each pinned as it would be alone.
    for (const def of PROXIES) {
      if (aborting()) break;
      ctx.log(`S1: starting ${def.label}`);
      try {
        const started = await def.start(ctx);
        running.push({ def, url: started.url, stop: started.stop, c: new Map(ctx.opts.bodies.map((b) => [b, []])), c1: [] });
      } catch (err) {
        failures.push(`${def.label}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        ctx.log(`  failed: ${String(err)}`);
      }
    }

    for (const p of [...running]) {
      for (const body of ctx.opts.bodies) {
        if (aborting()) break;
        await guarded(p, `warm-up ${body}`, () => warmUp(ctx, { url: url(p, body), connections: ctx.opts.connections }));
      }
    }

    // Body outside, proxy inside: the runs a ratio compares (same body) are
    // close in time, and the floor and Portico back to back (roundOrder).
    for (let i = 1; i <= ctx.opts.runs && !aborting(); i++) {
      const order = roundOrder(running, i);
      for (const body of ctx.opts.bodies) {
        for (const p of order) {
          if (aborting()) break;
          if (!running.includes(p)) continue;
          await guarded(p, `run ${i} ${body}`, async () => {
            const w = await runOnce(ctx, { url: url(p, body), connections: ctx.opts.connections });
            p.c.get(body)!.push(w);
            ctx.log(`  round ${i}/${ctx.opts.runs} ${body} c${ctx.opts.connections} ${p.def.id}: ${runLine(w)}`);
          });
        }
      }
      for (const p of order) {
        if (aborting()) break;
        if (!running.includes(p)) continue;
        await guarded(p, `run ${i} c1`, async () => {
          const w = await runOnce(ctx, { url: url(p, C1_BODY), connections: 1, durationS: ctx.opts.c1DurationS });
          p.c1.push(w);
          ctx.log(`  round ${i}/${ctx.opts.runs} ${C1_BODY} c1 ${p.def.id}: ${runLine(w)}`);
        });
      }
    }
  } finally {
    for (const p of [...running].reverse()) await p.stop();
  }

  const rows: S1Row[] = [];
  for (const p of running) {
    for (const body of ctx.opts.bodies) {
      const c = p.c.get(body)!;
      if (c.length === 0) continue;
      rows.push({ proxy: p.def.id, label: p.def.label, kind: p.def.kind, body, c: summarize(c), c1: body === C1_BODY && p.c1.length > 0 ? summarize(p.c1) : null });
    }
  }

  const ratios: Record<string, unknown>[] = [];
  for (const body of ctx.opts.bodies) {
    const at = rows.filter((x) => x.body === body);
    const floor = at.find((x) => x.kind === 'floor');
    const nginx = at.find((x) => x.kind === 'nginx');
    const bestPeer = at.filter((x) => x.kind === 'node-peer').sort((a, b) => b.c.rps - a.c.rps)[0];
    const refs = [floor, bestPeer, nginx];
    r.tables.push({
      title: `S1 — ${body === '100b' ? '100-byte' : '4 KiB'} body, c${ctx.opts.connections} (c1 p50 on the 100-byte body)`,
      columns: ['proxy', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'c1 p50 ms', '÷ Node floor', `÷ best Node peer${bestPeer ? ` (${bestPeer.proxy})` : ''}`, '÷ nginx', 'p99 ÷ floor p99', 'c1 p50 − floor µs'],
      rows: at.map((x) => [
        x.label,
        x.c.rps,
        x.c.p50_ms,
        x.c.p99_ms,
        x.c.errors + (x.c1?.errors ?? 0),
        x.c1 ? x.c1.p50_ms : '–',
        ...refs.map((ref) => (x.kind === 'reference' ? '–' : formatRatio(medianRatio(x.c.runs, ref?.c.runs)))),
        x.kind === 'reference' ? '–' : formatRatio(p99Ratio(x, floor)),
        x.kind === 'reference' ? '–' : formatMicros(c1Difference(x, floor)),
      ]),
    });
    for (const x of at) {
      if (x.kind === 'reference') continue;
      ratios.push({
        proxy: x.proxy,
        body,
        floor: ratioData(x.c.runs, floor?.c.runs),
        best_peer: { proxy: bestPeer?.proxy ?? null, ...ratioData(x.c.runs, bestPeer?.c.runs) },
        nginx: ratioData(x.c.runs, nginx?.c.runs),
        p99_to_floor: p99Ratio(x, floor) ?? null,
        c1_p50_minus_floor_us: c1Difference(x, floor) ?? null,
        median_of_rounds: perRound(x, floor),
      });
    }
  }
  r.data['rows'] = rows.map((x) => ({ ...x, c: measurementData(x.c), c1: x.c1 ? measurementData(x.c1) : null }));
  r.data['ratios'] = ratios;
  r.notes.push(
    `Every proxy ran once per round, one after another, for ${ctx.opts.runs} round(s); req/s is the median over the rounds, p50 and p99 are over every request of every round pooled. ` +
      'A ratio is the median over rounds of (row req/s ÷ reference req/s in the same round) at the same body size, so a noisy minute counts against every row of its round alike; above 1.00× the row is faster. ' +
      'The best Node peer is the one with the highest median req/s. ' +
      "p99 ÷ floor p99 and c1 p50 − floor compare those pooled figures: a single round's p99 here is mostly whether the host stalled during it (per-round ratios swing 0.1–7×), and pooling gives every proxy the same exposure. " +
      'The JSON report also has the medians of the per-round values.',
  );
  if (failures.length > 0) {
    r.status = rows.length > 0 ? 'partial' : 'failed';
    r.reasons.push(...failures.map((f) => `failed: ${f}`));
  }
  return r;
}

/** Row p99 ÷ floor p99, both over every round's requests pooled, same body. */
function p99Ratio(x: S1Row, floor: S1Row | undefined): number | undefined {
  return floor === undefined || !(floor.c.p99_ms > 0) ? undefined : round(x.c.p99_ms / floor.c.p99_ms, 4);
}

/** Row c1 p50 − floor c1 p50, both pooled, in µs. */
function c1Difference(x: S1Row, floor: S1Row | undefined): number | undefined {
  if (x.c1 === null || floor?.c1 == null) return undefined;
  return round((x.c1.p50_ms - floor.c1.p50_ms) * 1000, 1);
}

/** The same two comparisons as medians of per-round values (for the JSON: how far single rounds disagree). */
function perRound(x: S1Row, floor: S1Row | undefined) {
  return {
    p99_ratio: medianOfRounds(x.c.runs, floor?.c.runs, (a, b) => a.p99_ms / b.p99_ms) ?? null,
    c1_p50_difference_us: x.c1 && floor?.c1 ? (medianOfRounds(x.c1.runs, floor.c1.runs, (a, b) => (a.p50_ms - b.p50_ms) * 1000) ?? null) : null,
  };
}

function formatMicros(us: number | undefined): string {
  return us === undefined ? '–' : `${us >= 0 ? '+' : ''}${Math.round(us)}`;
}
