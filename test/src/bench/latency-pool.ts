// Latency percentiles pooled over several wrk runs.
//
// A single run's p99 on this shared machine is mostly a question of whether
// the host stalled the VM during it: one 20 ms stall lifts a 2 s run's p99
// from 7 to 40 ms, so per-run p99s of the same proxy swing 0.1–7× from one
// run to the next. Pooling every request of every round into one
// distribution gives each proxy the same exposure to those stalls (the
// rounds interleave them) and a p99 that converges as rounds are added,
// where the median of per-round p99 ratios only flips between "hit" and
// "not hit".
//
// wrk keeps every latency in its histogram but its Lua API only exposes
// percentiles, so each run prints a dense percentile table from a `done`
// hook (fine steps in the tail, where p99 lives) and the pooled
// distribution is the request-weighted mix of the runs' interpolated CDFs.

/** A run's latency distribution as wrk reported it. */
export interface LatencyTable {
  /** Requests behind the table (wrk's latency count). */
  count: number;
  /** [percent, latency µs] pairs, percent ascending, ending at 100 (the max). */
  points: [number, number][];
}

const MARK = 'PORTICO-LATENCY';

/** The percentiles printed: 1% steps to 90, 0.1% to 99, 0.01% to 100. */
export const TABLE_PERCENTS: readonly number[] = (() => {
  const ps: number[] = [];
  for (let i = 1; i < 90; i++) ps.push(i);
  for (let i = 900; i < 990; i++) ps.push(i / 10);
  for (let i = 9900; i <= 10000; i++) ps.push(i / 100);
  return ps;
})();

/** A wrk `done` hook printing the table on one line (appended to any request script). */
export function latencyHook(): string {
  return `
local portico_percents = { ${TABLE_PERCENTS.join(', ')} }
done = function(summary, latency, requests)
  local out = {}
  for i, p in ipairs(portico_percents) do
    -- wrk's percentile(100) runs off its histogram and answers 0: the max is the 100th.
    local us = p < 100 and latency:percentile(p) or latency.max
    out[i] = string.format("%g:%d", p, us)
  end
  io.write("${MARK} " .. #latency .. " " .. table.concat(out, ",") .. "\\n")
end
`;
}

/** The table from wrk's output, or null when the hook did not run (no request completed). */
export function parseLatencyTable(out: string): LatencyTable | null {
  // Not anchored to a line start: wrk's stderr may land in the same stream.
  const m = new RegExp(`${MARK} (\\d+) (\\S+)`).exec(out);
  if (!m) return null;
  const count = Number(m[1]);
  const points = m[2]!.split(',').map((pair): [number, number] => {
    const [p, us] = pair.split(':');
    return [Number(p), Number(us)];
  });
  if (count === 0 || points.length === 0 || points.some(([p, us]) => !Number.isFinite(p) || !Number.isFinite(us))) return null;
  // Keep the table monotone whatever wrk's rounding did, so its CDF is one.
  for (let i = 1; i < points.length; i++) if (points[i]![1] < points[i - 1]![1]) points[i]![1] = points[i - 1]![1];
  return { count, points };
}

/** The share of a run's requests at or below `us`, interpolated between its table's points. */
function cdf(t: LatencyTable, us: number): number {
  const pts = t.points;
  if (us < pts[0]![1]) return (pts[0]![0] / 100) * (us / pts[0]![1]);
  for (let i = 1; i < pts.length; i++) {
    const [p1, x1] = pts[i]!;
    if (us < x1) {
      const [p0, x0] = pts[i - 1]!;
      return (p0 + ((p1 - p0) * (us - x0)) / (x1 - x0)) / 100;
    }
  }
  return 1;
}

/**
 * The q-quantile (0..1) in ms of all the runs' requests taken together,
 * each run weighted by its request count; NaN when there are none.
 */
export function pooledQuantile(tables: readonly (LatencyTable | null | undefined)[], q: number): number {
  const ts = tables.filter((t): t is LatencyTable => t != null && t.count > 0);
  const total = ts.reduce((n, t) => n + t.count, 0);
  if (total === 0) return NaN;
  const mixed = (us: number): number => ts.reduce((s, t) => s + t.count * cdf(t, us), 0) / total;
  let lo = 0;
  let hi = Math.max(...ts.map((t) => t.points[t.points.length - 1]![1]));
  // The mixed CDF is monotone: bisect to a tenth of a microsecond.
  while (hi - lo > 0.1) {
    const mid = (lo + hi) / 2;
    if (mixed(mid) < q) lo = mid;
    else hi = mid;
  }
  return hi / 1000;
}
