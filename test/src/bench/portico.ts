// Portico under test: a real control plane and real data planes started
// through the e2e harness, configured over the admin API with one service
// (the nginx upstream) and one catch-all route. The data plane is pinned to
// the proxy CPU from its start; the control plane and any extra data planes to
// the load CPU.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool } from 'undici';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { http, waitForVersion, writtenVersion } from '../lib/http.js';
import { onCleanup } from './cleanup.js';
import type { RouteBody } from './routes-gen.js';
import { pin, startCpu, type CpuPlan } from './system.js';

export interface Portico {
  cp: ControlPlane;
  dps: DataPlane[];
  /** The first data plane's proxy URL. */
  url: string;
  version: number;
  stop(): Promise<void>;
}

export async function startPortico(plan: CpuPlan, upstream: string, opts: { dataPlanes?: number; label?: string } = {}): Promise<Portico> {
  const label = opts.label ?? 'portico';
  const cp = await startControlPlane();
  const stopCp = onCleanup(`${label}-cp`, async () => {
    await cp.proc.stop();
    rmSync(dirname(cp.dbPath), { recursive: true, force: true });
  });
  pin(plan, cp.proc.pid, plan.loadCpu);
  const dps: DataPlane[] = [];
  const stopDps: (() => Promise<void>)[] = [];
  for (let i = 0; i < (opts.dataPlanes ?? 1); i++) {
    const dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: `${label}-dp-${i + 1}`, cpu: startCpu(plan, i === 0 ? plan.proxyCpu : plan.loadCpu) });
    stopDps.push(onCleanup(`${label}-dp-${i + 1}`, async () => {
      await dp.proc.stop('SIGTERM', 5000);
      rmSync(dp.cacheDir, { recursive: true, force: true });
    }));
    dps.push(dp);
  }
  const s = await http('PUT', `${cp.admin}/services/bench`, { url: upstream });
  if (s.status !== 200) throw new Error(`PUT /services/bench: ${s.status} ${s.body}`);
  const r = await http('PUT', `${cp.admin}/services/bench/routes/catch-all`, { paths: ['/'], strip_path: false });
  if (r.status !== 200) throw new Error(`PUT /services/bench/routes/catch-all: ${r.status} ${r.body}`);
  const version = writtenVersion(r);
  await Promise.all(dps.map((d) => waitForVersion(d.status, version, 30_000)));
  return {
    cp,
    dps,
    url: dps[0]!.proxy,
    version,
    stop: async () => {
      for (const s of stopDps.reverse()) await s();
      await stopCp();
    },
  };
}

export interface LoadResult {
  method: 'POST /config' | 'admin POSTs';
  routes: number;
  ms: number;
  version: number;
  note?: string;
}

/**
 * Loads `routes` onto the `bench` service: one declarative `POST /config`
 * when the admin API has it, else admin POSTs, 16 in flight. Waits until every
 * data plane serves the result.
 */
export async function loadRoutes(p: Portico, upstream: string, routes: RouteBody[]): Promise<LoadResult> {
  const t0 = performance.now();
  let note: string | undefined;
  const declarative = {
    _format_version: '3.0',
    services: [{ name: 'bench', url: upstream, routes: [{ name: 'catch-all', paths: ['/'], strip_path: false }, ...routes] }],
  };
  const d = await http('POST', `${p.cp.admin}/config`, declarative);
  let version: number;
  let method: LoadResult['method'];
  if (d.status >= 200 && d.status < 300) {
    method = 'POST /config';
    version = writtenVersion(d) || Number(d.json<{ version?: number }>().version ?? 0);
  } else {
    if (d.status !== 404 && d.status !== 405) note = `POST /config answered ${d.status}; fell back to admin POSTs`;
    method = 'admin POSTs';
    version = await postRoutes(p.cp.admin, routes);
  }
  await Promise.all(p.dps.map((dp) => waitForVersion(dp.status, version, 600_000)));
  const res: LoadResult = { method, routes: routes.length, ms: performance.now() - t0, version };
  if (note) res.note = note;
  return res;
}

async function postRoutes(admin: string, routes: RouteBody[]): Promise<number> {
  const pool = new Pool(admin, { connections: 16 });
  let next = 0;
  let version = 0;
  const worker = async () => {
    while (next < routes.length) {
      const body = JSON.stringify(routes[next++]);
      const res = await pool.request({ path: '/services/bench/routes', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw new Error(`POST /services/bench/routes: ${res.statusCode} ${text}`);
      version = Math.max(version, Number(res.headers['x-portico-config-version']));
    }
  };
  try {
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    await pool.close();
  }
  return version;
}
