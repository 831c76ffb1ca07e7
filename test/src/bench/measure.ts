// The measurement protocol every proxy gets: one warm-up run (discarded), then
// N runs; requests/s and the latency percentiles are the medians of the runs,
// errors are summed over them.
import type { BenchContext } from './context.js';
import { median, round } from './stats.js';
import { runWrk, type WrkOptions, type WrkResult } from './wrk.js';

export interface Measurement {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  runs: WrkResult[];
}

export async function measure(ctx: BenchContext, wrk: Omit<WrkOptions, 'durationS'> & { durationS?: number }, opts: { warmup?: boolean; runs?: number } = {}): Promise<Measurement> {
  const durationS = wrk.durationS ?? ctx.opts.durationS;
  if ((opts.warmup ?? true) && ctx.opts.warmupS > 0) await runWrk(ctx.plan, { ...wrk, durationS: ctx.opts.warmupS });
  const runs: WrkResult[] = [];
  for (let i = 0; i < (opts.runs ?? ctx.opts.runs); i++) runs.push(await runWrk(ctx.plan, { ...wrk, durationS }));
  return summarize(runs);
}

export function summarize(runs: WrkResult[]): Measurement {
  return {
    rps: round(median(runs.map((r) => r.rps)), 0),
    p50_ms: round(median(runs.map((r) => r.p50_ms)), 3),
    p99_ms: round(median(runs.map((r) => r.p99_ms)), 3),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    runs,
  };
}

export function ratio(a: number | undefined, b: number | undefined): string {
  if (!a || !b) return '–';
  return `${(a / b).toFixed(2)}×`;
}
