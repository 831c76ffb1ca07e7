// S2: Portico with the plugins a real deployment runs on every request —
// key-auth, rate-limiting (local policy, a limit never reached) and metrics
// (prometheus with status-code, latency and bandwidth series on) —
// against the same Portico with none. Runs only when the admin API lists
// those plugins under GET /plugins/enabled; otherwise says what is missing.
import { http, waitForVersion } from '../lib/http.js';
import { newResult, notAvailable, type BenchContext, type ScenarioResult } from './context.js';
import { measure, ratio } from './measure.js';
import { startPortico } from './portico.js';

const METRICS_NAMES = ['prometheus', 'metrics'];

export async function s2(ctx: BenchContext): Promise<ScenarioResult> {
  const r = newResult('S2', `Portico with key-auth + rate-limiting (local) + metrics vs no plugins, c${ctx.opts.connections}`);
  const p = await startPortico(ctx.plan, ctx.upstream.url, { label: 'portico-s2' });
  try {
    const enabled = await http('GET', `${p.cp.admin}/plugins/enabled`);
    if (enabled.status !== 200) return notAvailable(r, `the admin API has no GET /plugins/enabled (answered ${enabled.status}); plugins are not wired yet`);
    const names = new Set(enabled.json<{ enabled_plugins?: string[] }>().enabled_plugins ?? []);
    const metrics = METRICS_NAMES.find((n) => names.has(n));
    const missing = [...(['key-auth', 'rate-limiting'] as const).filter((n) => !names.has(n)), ...(metrics ? [] : ['prometheus (metrics)'])];
    if (missing.length > 0) return notAvailable(r, `plugins not enabled on this build: ${missing.join(', ')}`);

    const url = `${p.url}/100b`;
    const bare = await measure(ctx, { url, connections: ctx.opts.connections });

    // Kong's admin calls, as an operator would send them.
    const writes: [string, string, unknown][] = [
      ['POST', '/consumers', { username: 'bench' }],
      ['POST', '/consumers/bench/key-auth', { key: 'bench-key-0123456789' }],
      ['POST', '/plugins', { name: 'key-auth' }],
      ['POST', '/plugins', { name: 'rate-limiting', config: { second: 1_000_000_000, policy: 'local' } }],
      // Kong's prometheus records nothing per request with its defaults; a real
      // deployment turns the per-request series on, so the bench does too.
      ['POST', '/plugins', metrics === 'prometheus' ? { name: metrics, config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } } : { name: metrics }],
    ];
    let version = 0;
    for (const [method, path, body] of writes) {
      const w = await http(method, `${p.cp.admin}${path}`, body);
      if (w.status !== 201) return notAvailable(r, `${method} ${path} answered ${w.status}: ${w.body.slice(0, 200)}`);
      version = Number(w.headers['x-portico-config-version'] ?? version);
    }
    await waitForVersion(p.dps[0]!.status, version, 30_000);
    const denied = await http('GET', url);
    if (denied.status !== 401) r.notes.push(`expected 401 without a key, got ${denied.status}: key-auth may not be enforced`);
    const withPlugins = await measure(ctx, { url, connections: ctx.opts.connections, headers: { apikey: 'bench-key-0123456789' } });

    r.tables.push({
      title: `S2 — 100-byte body, c${ctx.opts.connections}`,
      columns: ['Portico', 'req/s', 'p50 ms', 'p99 ms', 'errors', '÷ no plugins'],
      rows: [
        ['no plugins', bare.rps, bare.p50_ms, bare.p99_ms, bare.errors, '1.00×'],
        [`key-auth + rate-limiting + ${metrics}`, withPlugins.rps, withPlugins.p50_ms, withPlugins.p99_ms, withPlugins.errors, ratio(withPlugins.rps, bare.rps)],
      ],
    });
    r.data = { bare: { ...bare, runs: undefined }, plugins: { ...withPlugins, runs: undefined }, metrics_plugin: metrics };
    return r;
  } finally {
    await p.stop();
  }
}
