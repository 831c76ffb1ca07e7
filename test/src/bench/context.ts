// What every scenario receives (options, CPU plan, the shared upstream) and
// what it gives back (tables for the markdown, data for the JSON).
import type { Peer } from './peer-process.js';
import type { CpuPlan } from './system.js';

export interface BenchOptions {
  quick: boolean;
  only: Set<string> | null;
  /** Seconds per measured wrk run. */
  durationS: number;
  /** Seconds of the warm-up run before the measured ones (0: none). */
  warmupS: number;
  /** Measured runs per configuration; the median is reported. */
  runs: number;
  connections: number;
  /** Seconds per c1 (latency) run. */
  c1DurationS: number;
  bodies: ('100b' | '4k')[];
  /** Route count for the large-table scenarios. */
  routes: number;
  /** Writes for S5. */
  writes: number;
  /** Simulated data-plane streams for S6. */
  streams: number;
  outDir: string;
}

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface ScenarioResult {
  id: string;
  title: string;
  status: 'ok' | 'partial' | 'not available' | 'failed';
  /** Why a scenario (or part of one) is not available or failed. */
  reasons: string[];
  tables: Table[];
  notes: string[];
  data: Record<string, unknown>;
}

export interface BenchContext {
  opts: BenchOptions;
  plan: CpuPlan;
  upstream: Peer;
  log: (line: string) => void;
  /** Results of scenarios that already ran (S4 compares against S1's Portico row, S5/S6 reuse S3's table). */
  results: Map<string, ScenarioResult>;
}

export function newResult(id: string, title: string): ScenarioResult {
  return { id, title, status: 'ok', reasons: [], tables: [], notes: [], data: {} };
}

export function notAvailable(r: ScenarioResult, why: string): ScenarioResult {
  r.status = r.tables.length > 0 ? 'partial' : 'not available';
  r.reasons.push(`not available yet: ${why}`);
  return r;
}
