// A large change under traffic (not one of `pnpm bench`'s scenarios; a probe,
// run on its own):  node test/dist/bench/large-change-probe.js [routes]
//
// nginx upstream, a control plane and one data plane loaded with `routes`
// routes (10,000 by default); the data plane on the proxy CPU, everything
// else on the load CPU, as in the bench. wrk c64 for 10 s; 3 s in, a
// `POST /config` that changes every route. Beside wrk, one connection sends a
// request every 2 ms and keeps each that took over 40 ms, with when it was
// sent: that is the data plane's event loop as a request sees it. wrk's own
// tail says little here: wrk, nginx and the control plane share one CPU.
// PROBE_NO_CHANGE=1 skips the change (the baseline).
import { execFile } from 'node:child_process';
import { Agent, request } from 'undici';
import { startControlPlane, startDataPlane } from '../lib/processes.js';
import { http, waitForVersion, writtenVersion } from '../lib/http.js';
import { startNginxUpstream } from './nginx.js';
import { generateRoutes } from './routes-gen.js';
import { cpuPlan, ensurePeerBinaries, pin, startCpu } from './system.js';

const SLOW_MS = 40;
const count = Number(process.argv[2] ?? 10_000);
const change = process.env['PROBE_NO_CHANGE'] !== '1';

const bins = ensurePeerBinaries((s) => console.error(s));
const plan = cpuPlan(bins.taskset);
const upstream = await startNginxUpstream(plan);
const cp = await startControlPlane();
pin(plan, cp.proc.pid, plan.loadCpu);
const dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: 'probe', cpu: startCpu(plan, plan.proxyCpu) });
const agent = new Agent({ connections: 1 });
try {
  const { routes } = generateRoutes(count);
  const config = (tag: string) => ({
    _format_version: '3.0',
    services: [{ name: 'bench', url: upstream.url, routes: [{ name: 'catch-all', paths: ['/'], strip_path: false }, ...routes.map((r) => ({ ...r, tags: [tag] }))] }],
  });
  let r = await http('POST', `${cp.admin}/config`, config('first'));
  await waitForVersion(dp.status, writtenVersion(r), 60_000);
  await new Promise((res) => setTimeout(res, 2_000));

  const wrkArgs = ['-t1', '-c64', '-d10s', '--latency', `${dp.proxy}/100b`];
  const wrk = new Promise<string>((res) => {
    const [cmd, args] = plan.pinned ? ['taskset', ['-c', plan.loadCpu, bins.wrk, ...wrkArgs]] : [bins.wrk, wrkArgs];
    execFile(cmd, args, (_err, out) => res(out));
  });
  const slow: string[] = [];
  let probes = 0;
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const sent = Date.now();
      const res = await request(`${dp.proxy}/100b`, { dispatcher: agent });
      await res.body.text();
      probes++;
      const took = Date.now() - sent;
      if (took > SLOW_MS) slow.push(`${new Date(sent).toISOString().slice(11, 23)} ${took} ms`);
      await new Promise((res) => setTimeout(res, 2));
    }
  })();
  await new Promise((res) => setTimeout(res, 3_000));
  if (change) {
    console.log(`${new Date().toISOString().slice(11, 23)} POST /config: every one of ${count} routes changed`);
    r = await http('POST', `${cp.admin}/config`, config('second'));
    await waitForVersion(dp.status, writtenVersion(r), 60_000);
  }
  const out = await wrk;
  probing = false;
  await probe;

  console.log(`probe: ${probes} requests, ${slow.length} over ${SLOW_MS} ms: ${slow.join(', ') || 'none'}`);
  console.log(`wrk: ${out.split('\n').filter((l) => /Latency |99%|Requests\/sec|Non-2xx|Socket errors/.test(l)).map((l) => l.trim()).join(' | ')}`);
  for (const line of dp.proc.raw) {
    if (!/"msg":"(config applied|released memory after a large change)"/.test(line)) continue;
    const { time, msg, config_version, compile_ms, slices, longest_slice_ms, gc_ms } = JSON.parse(line) as Record<string, unknown>;
    console.log(`data plane ${String(time).slice(11, 23)} ${msg}: ${JSON.stringify({ config_version, compile_ms, slices, longest_slice_ms, gc_ms })}`);
  }
} finally {
  await agent.close();
  await dp.proc.stop('SIGTERM', 5_000);
  await cp.proc.stop();
  await upstream.stop();
}
