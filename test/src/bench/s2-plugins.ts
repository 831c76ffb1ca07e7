// S2: Portico with the plugins a real deployment runs on every request —
// key-auth, rate-limiting (local policy, a limit never reached) and metrics
// (prometheus with status-code, latency and bandwidth series on) —
// against the same Portico with none. Both run on one data plane: the bare
// catch-all route and a second route on the same service with the three
// plugins scoped to it (a route's plugins compile into the same per-route
// chain as global ones), alternated run by run. Runs only when the admin API
// lists those plugins under GET /plugins/enabled; otherwise says what is missing.
import { http, waitForVersion } from '../lib/http.js';
import { newResult, notAvailable, type BenchContext, type ScenarioResult } from './context.js';
import { formatRatio, interleave, measurementData, medianRatio, ratioData } from './measure.js';
import { startPortico } from './portico.js';

const METRICS_NAMES = ['prometheus', 'metrics'];
const KEY = 'bench-key-0123456789';
// The upstream answers 100 bytes on every path but /4k…, so the plugin route
// keeps strip_path off: both routes forward the request path as it came, and
// the only difference between the two arms is the plugin chain.
const PLUGIN_ROUTE = { name: 'plugins', paths: ['/p'], strip_path: false };

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

    // Kong's admin calls, as an operator would send them.
    const plugins = `/routes/${PLUGIN_ROUTE.name}/plugins`;
    const writes: [string, string, unknown][] = [
      ['POST', '/services/bench/routes', PLUGIN_ROUTE],
      ['POST', '/consumers', { username: 'bench' }],
      ['POST', '/consumers/bench/key-auth', { key: KEY }],
      ['POST', plugins, { name: 'key-auth' }],
      ['POST', plugins, { name: 'rate-limiting', config: { second: 1_000_000_000, policy: 'local' } }],
      // Kong's prometheus records nothing per request with its defaults; a real
      // deployment turns the per-request series on, so the bench does too.
      ['POST', plugins, metrics === 'prometheus' ? { name: metrics, config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } } : { name: metrics }],
    ];
    let version = 0;
    for (const [method, path, body] of writes) {
      const w = await http(method, `${p.cp.admin}${path}`, body);
      if (w.status !== 201) return notAvailable(r, `${method} ${path} answered ${w.status}: ${w.body.slice(0, 200)}`);
      version = Number(w.headers['x-portico-config-version'] ?? version);
    }
    await waitForVersion(p.dps[0]!.status, version, 30_000);

    const bareUrl = `${p.url}/100b`;
    const pluginUrl = `${p.url}${PLUGIN_ROUTE.paths[0]}/100b`;
    const denied = await http('GET', pluginUrl);
    if (denied.status !== 401) r.notes.push(`expected 401 without a key on ${PLUGIN_ROUTE.paths[0]}, got ${denied.status}: key-auth may not be enforced`);
    const open = await http('GET', bareUrl);
    if (open.status !== 200) r.notes.push(`expected 200 on the bare route without a key, got ${open.status}: plugins may not be scoped to their route`);

    // Both arms send the key, so the requests differ only in the path.
    const headers = { apikey: KEY };
    const [bare, withPlugins] = await interleave(ctx, [
      { label: 'no plugins', wrk: { url: bareUrl, connections: ctx.opts.connections, headers } },
      { label: 'plugins', wrk: { url: pluginUrl, connections: ctx.opts.connections, headers } },
    ]);

    r.tables.push({
      title: `S2 — 100-byte body, c${ctx.opts.connections}`,
      columns: ['Portico', 'req/s', 'p50 ms', 'p99 ms', 'errors', '÷ no plugins'],
      rows: [
        ['no plugins (catch-all route)', bare.rps, bare.p50_ms, bare.p99_ms, bare.errors, '1.00×'],
        [`key-auth + rate-limiting + ${metrics} (route ${PLUGIN_ROUTE.paths[0]})`, withPlugins.rps, withPlugins.p50_ms, withPlugins.p99_ms, withPlugins.errors, formatRatio(medianRatio(withPlugins.runs, bare.runs))],
      ],
    });
    r.notes.push(
      `One data plane, two routes on the same service, alternated run by run for ${ctx.opts.runs} round(s); req/s is the median over the rounds, p50 and p99 are over every request of every round pooled. ` +
        '÷ no plugins is the median over rounds of (plugins req/s ÷ no-plugins req/s in the same round).',
    );
    r.data = { bare: measurementData(bare), plugins: measurementData(withPlugins), ratio: ratioData(withPlugins.runs, bare.runs), metrics_plugin: metrics };
    return r;
  } finally {
    await p.stop();
  }
}
