// The measurement protocol: every configuration compared in a table gets one
// warm-up run (discarded), then N rounds in which each configuration gets one
// run, side by side. The machine is shared and its throughput swings ±30%
// from one window to the next, so only runs taken in the same round are
// compared: a ratio is the median of the per-round ratios. Requests/s is the
// median of the runs, errors the sum, and the latency percentiles are taken
// over every request of every round pooled (latency-pool.ts says why).
import { aborting } from './cleanup.js';
import type { BenchContext } from './context.js';
import { pooledQuantile } from './latency-pool.js';
import { median, round } from './stats.js';
import { runWrk, type WrkOptions, type WrkResult } from './wrk.js';

export interface Measurement {
  rps: number;
  /** Over all rounds' requests pooled (the median of the runs' when wrk gave no table). */
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** One per round, in round order. */
  runs: WrkResult[];
}

/** A wrk run; its length defaults to ctx.opts.durationS. */
export type WrkSpec = Omit<WrkOptions, 'durationS'> & { durationS?: number };

/** A warm-up run, made the way the measured runs are (`around` them, as S4's churn). */
export async function warmUp(ctx: BenchContext, wrk: WrkSpec, around?: Arm['around']): Promise<void> {
  if (ctx.opts.warmupS <= 0) return;
  const run = () => runWrk(ctx.plan, { ...wrk, durationS: ctx.opts.warmupS });
  await (around ? around(run) : run());
}

export function runOnce(ctx: BenchContext, wrk: WrkSpec): Promise<WrkResult> {
  return runWrk(ctx.plan, { ...wrk, durationS: wrk.durationS ?? ctx.opts.durationS });
}

/** One configuration of an interleaved comparison. */
export interface Arm {
  /** Names the arm in the progress log. */
  label: string;
  wrk: WrkSpec;
  /** Warm-up before the first round (default true), wrapped in `around` like the measured runs. */
  warmup?: boolean;
  /** Wraps each measured run: S4 turns config churn on around it. */
  around?: (run: () => Promise<WrkResult>) => Promise<WrkResult>;
}

/**
 * Warms every arm up, then runs ctx.opts.runs rounds of one run per arm, in
 * the order given. Throws on the first failed run, or when the bench aborts.
 */
export async function interleave<const A extends readonly Arm[]>(ctx: BenchContext, arms: A): Promise<{ [K in keyof A]: Measurement }> {
  for (const arm of arms) if (arm.warmup ?? true) await warmUp(ctx, arm.wrk, arm.around);
  const runs: WrkResult[][] = arms.map(() => []);
  for (let i = 0; i < ctx.opts.runs; i++) {
    for (const [k, arm] of arms.entries()) {
      if (aborting()) throw new Error('aborted');
      const run = () => runOnce(ctx, arm.wrk);
      const w = await (arm.around ? arm.around(run) : run());
      runs[k]!.push(w);
      ctx.log(`  round ${i + 1}/${ctx.opts.runs} ${arm.label}: ${runLine(w)}`);
    }
  }
  return runs.map(summarize) as { [K in keyof A]: Measurement };
}

/** One run for the progress log. */
export function runLine(w: WrkResult): string {
  return `${Math.round(w.rps)} req/s, p50 ${round(w.p50_ms, 3)} ms, p99 ${round(w.p99_ms, 2)} ms, errors ${w.errors}`;
}

export function summarize(runs: WrkResult[]): Measurement {
  const tables = runs.map((r) => r.latency);
  const pooled = tables.some((t) => t !== null);
  const percentile = (q: number, own: (r: WrkResult) => number): number => round(pooled ? pooledQuantile(tables, q) : median(runs.map(own)), 3);
  return {
    rps: round(median(runs.map((r) => r.rps)), 0),
    p50_ms: percentile(0.5, (r) => r.p50_ms),
    p99_ms: percentile(0.99, (r) => r.p99_ms),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    runs,
  };
}

/** req/s of `a` ÷ req/s of `b`, round by round (rounds where either is missing or zero are left out). */
export function roundRatios(a: readonly WrkResult[], b: readonly WrkResult[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]!.rps > 0 && b[i]!.rps > 0) out.push(round(a[i]!.rps / b[i]!.rps, 4));
  }
  return out;
}

/**
 * The median over rounds of `f(a's run, b's run)`, for comparisons other than
 * req/s (p99 ratios, c1 latency differences); undefined when no round has both.
 */
export function medianOfRounds(a: readonly WrkResult[] | undefined, b: readonly WrkResult[] | undefined, f: (x: WrkResult, y: WrkResult) => number): number | undefined {
  if (!a || !b) return undefined;
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const v = f(a[i]!, b[i]!);
    if (Number.isFinite(v)) out.push(v);
  }
  return out.length > 0 ? median(out) : undefined;
}

/** The number the ratio columns show: the median of the per-round ratios, undefined when no round has both. */
export function medianRatio(a: readonly WrkResult[] | undefined, b: readonly WrkResult[] | undefined): number | undefined {
  const rs = a && b ? roundRatios(a, b) : [];
  return rs.length > 0 ? median(rs) : undefined;
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? '–' : `${r.toFixed(2)}×`;
}

/** A measurement for the JSON report: the medians and every run's numbers. */
export function measurementData(m: Measurement) {
  return { rps: m.rps, p50_ms: m.p50_ms, p99_ms: m.p99_ms, errors: m.errors, runs: m.runs.map((x) => ({ rps: x.rps, p50_ms: x.p50_ms, p99_ms: x.p99_ms, errors: x.errors })) };
}

/** A ratio for the JSON report: the median shown in the table and the per-round values it came from. */
export function ratioData(a: readonly WrkResult[] | undefined, b: readonly WrkResult[] | undefined) {
  const rounds = a && b ? roundRatios(a, b) : [];
  return { median: rounds.length > 0 ? round(median(rounds), 4) : null, rounds };
}
