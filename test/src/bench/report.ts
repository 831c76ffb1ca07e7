// Turns scenario results into the markdown report (also printed) and the JSON
// file, both under bench-results/<timestamp>.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions, ScenarioResult, Table } from './context.js';
import type { CpuPlan } from './system.js';

export interface RunInfo {
  started: string;
  finished: string;
  node: string;
  cpus: number;
  pinning: string;
  options: Omit<BenchOptions, 'only'> & { only: string[] | null };
  peers: Record<string, string>;
}

export function markdownTable(t: Table): string {
  const esc = (v: string | number) => String(v).replace(/\|/g, '\\|');
  return [`| ${t.columns.map(esc).join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function renderMarkdown(info: RunInfo, results: ScenarioResult[]): string {
  const out: string[] = [];
  out.push(`# Portico bench — ${info.started}${info.options.quick ? ' (--quick: one short run per proxy, a noisy smoke, not a result)' : ''}`);
  out.push('');
  out.push(`Node ${info.node}, ${info.cpus} CPUs, ${info.pinning}. ` +
    `Warm-up ${info.options.warmupS} s per configuration, then ${info.options.runs} round(s) in which every configuration of a table gets one ${info.options.durationS} s run, side by side` +
    ` (req/s: medians over the rounds, a ratio the median of the per-round ratios; latency percentiles over every request of every round pooled); load: wrk, 1 thread, c${info.options.connections}.`);
  out.push(`Peers: ${Object.entries(info.peers).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  for (const r of results) {
    out.push('', `## ${r.id} — ${r.title}`, '', `Status: **${r.status}**`);
    for (const reason of r.reasons) out.push(`- ${reason}`);
    for (const t of r.tables) out.push('', `**${t.title}**`, '', markdownTable(t));
    if (r.notes.length) out.push('', ...r.notes.map((n) => `- ${n}`));
  }
  out.push('');
  return out.join('\n');
}

export function writeResults(outDir: string, info: RunInfo, results: ScenarioResult[]): { md: string; json: string; markdown: string } {
  mkdirSync(outDir, { recursive: true });
  const stamp = info.started.replace(/[:.]/g, '-');
  const md = join(outDir, `${stamp}.md`);
  const json = join(outDir, `${stamp}.json`);
  const markdown = renderMarkdown(info, results);
  writeFileSync(md, markdown);
  writeFileSync(json, `${JSON.stringify({ ...info, scenarios: results }, null, 2)}\n`);
  return { md, json, markdown };
}

export function pinningText(plan: CpuPlan): string {
  return plan.note;
}
