// Compile time of a 10,000-route snapshot, full and incremental (a plain
// script, not a test):  node data-plane/dist/compile/compile-bench.js
// The number that matters for write→live latency is the median one-route
// change (add, edit or delete) compiled against the previous config; timings
// include GC, which is part of what a push costs.
import type { Resource } from '@portico/shared';
import { ConfigSet } from '../cluster/config-set.js';
import { runInSlices, SLICE_BUDGET_MS } from '../slices.js';
import { compile, compileSteps } from './compile.js';
import { consumer, keyAuthCredential, plugin } from './test-fixtures.js';
import type { CompiledConfig } from './types.js';

const CONSUMER = '00000000-0000-4000-8000-0000000c0001';
const GLOBAL = '00000000-0000-4000-8000-0000000f0001';
const AUTH = '00000000-0000-4000-8000-0000000f0002';
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const services: Resource[] = Array.from({ length: 100 }, (_, i) => ({
  type: 'services', id: uuid(i), body: JSON.stringify({
    id: uuid(i), created_at: 1, updated_at: 1, name: `svc${i}`, enabled: true, retries: 5, protocol: 'http', host: `b${i}.internal`,
    port: 80, path: null, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, tags: null,
    client_certificate: null, tls_verify: null, tls_verify_depth: null, ca_certificates: null,
  }),
}));
const route = (i: number, tag = ''): Resource => {
  const id = uuid(1_000_000 + i);
  return {
    type: 'routes', id, body: JSON.stringify({
      id, created_at: i, updated_at: 1, name: `r${i}${tag}`, protocols: ['http', 'https'], methods: null,
      hosts: i % 2 ? [`svc${i % 100}.example.com`] : null, paths: [i % 10 === 0 ? `~/api/r${i}/\\d+` : `/api/r${i}`],
      headers: null, https_redirect_status_code: 426, regex_priority: 0, strip_path: true, path_handling: 'v0',
      preserve_host: false, request_buffering: true, response_buffering: true, snis: null, sources: null, destinations: null,
      tags: null, service: { id: uuid(i % 100) },
    }),
  };
};
const routes = Array.from({ length: 10_000 }, (_, i) => route(i));

const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const v = f();
  return [v, performance.now() - t];
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

const [full, cold] = timed(() => compile({ version: 1, hash: 'a', resources: [...services, ...routes] }));
console.log(`full compile, 10,000 routes (cold):  ${ms(cold)}`);
const warm: number[] = [];
for (let i = 0; i < 5; i++) warm.push(timed(() => compile({ version: 1, hash: 'a', resources: [...services, ...routes] }))[1]);
console.log(`full compile, 10,000 routes (warm):  median ${ms(median(warm))} of ${warm.length}`);

// Every route changed on top of a serving config, as a data plane takes it (main.ts): in slices.
{
  const all = routes.map((_, i) => route(i, '-all'));
  const t = performance.now();
  const { stats } = await runInSlices(compileSteps({ version: 1, hash: 'all', resources: [...services, ...all] }, full), SLICE_BUDGET_MS);
  console.log(`full change in slices of ${SLICE_BUDGET_MS} ms: ${ms(performance.now() - t)} in ${stats.slices} slices, longest ${ms(stats.longestMs)}`);
}

const changed = routes.map((r, i) => (i < 10 ? route(i, '-changed') : r));
console.log(`incremental, 10 routes changed:      ${ms(timed(() => compile({ version: 2, hash: 'b', resources: [...services, ...changed] }, full))[1])}`);

// One-route changes in a row, each against the config the previous one made,
// as a control plane pushing single edits: edit an old route, add a new one,
// delete one. Once as whole snapshots, once as a delta push hands them over
// (the change beside the snapshot, see CompileInput.delta).
const live = new Map(routes.map((r) => [r.id, r] as const));
let previous: CompiledConfig = full;
let version = 3;
let added = 10_000;
for (const asDelta of [false, true]) {
  const byKind: Record<'add' | 'edit' | 'delete', number[]> = { add: [], edit: [], delete: [] };
  for (let i = 0; i < 30; i++) {
    const kind = (['edit', 'add', 'delete'] as const)[i % 3]!;
    let updated: Resource[] = [];
    const removed: { type: string; id: string }[] = [];
    if (kind === 'edit') live.set(routes[500 + i]!.id, (updated = [route(500 + i, `-edit${i}${asDelta}`)])[0]!);
    else if (kind === 'add') {
      const r = route(added++);
      live.set(r.id, (updated = [r])[0]!);
    } else {
      const id = routes[asDelta ? 6000 + i : 5000 + i]!.id;
      live.delete(id);
      removed.push({ type: 'routes', id });
    }
    const resources = [...services, ...live.values()];
    const delta = asDelta ? { baseVersion: previous.version, baseHash: previous.hash, updated, removed } : undefined;
    const [next, t] = timed(() => compile({ version: version++, hash: `h${version}`, resources, delta }, previous));
    previous = next;
    if (i >= 3) byKind[kind].push(t); // the first round of each kind warms up its code paths
  }
  const all = [...byKind.add, ...byKind.edit, ...byKind.delete];
  console.log(
    `incremental, one route changed${asDelta ? ', as a delta' : ''}:${asDelta ? '' : '           '} median ${ms(median(all))} of ${all.length}  ` +
      `(add ${ms(median(byKind.add))}, edit ${ms(median(byKind.edit))}, delete ${ms(median(byKind.delete))})`,
  );
}

// A service edit: its 100 routes get new compiled objects, the rest are kept.
const serviceEdits: number[] = [];
const edited = [...services];
for (let i = 0; i < 12; i++) {
  edited[i] = { ...services[i]!, body: services[i]!.body.replace('"retries":5', '"retries":6') };
  const [next, t] = timed(() => compile({ version: version++, hash: `s${i}`, resources: [...edited, ...live.values()] }, previous));
  previous = next;
  if (i >= 2) serviceEdits.push(t);
}
console.log(`incremental, one service edited:    median ${ms(median(serviceEdits))} of ${serviceEdits.length}`);

// A global plugin's config edited: every route resolves its plugin chain
// again (compile.ts step 7, not quiet). A key-auth credential added: it did
// too while plugin instances were made with the consumer table, and now
// leaves every route as it was. As deltas, the way a data plane gets them.
{
  const base = [...edited, ...live.values(), consumer(CONSUMER), plugin(GLOBAL, 'rate-limiting', { minute: 1000 }), plugin(AUTH, 'key-auth', {}, { service: uuid(0) })];
  previous = compile({ version: version++, hash: 'p0', resources: base }, previous);
  const globalEdits: number[] = [];
  const credentials: number[] = [];
  const resources = [...base];
  for (let i = 0; i < 12; i++) {
    for (const kind of ['plugin', 'credential'] as const) {
      const r = kind === 'plugin' ? plugin(GLOBAL, 'rate-limiting', { minute: 1001 + i }) : keyAuthCredential(uuid(3_000_000 + i), CONSUMER, `key-${i}`);
      if (kind === 'plugin') resources[resources.findIndex((x) => x.id === GLOBAL)] = r;
      else resources.push(r);
      const delta = { baseVersion: previous.version, baseHash: previous.hash, updated: [r], removed: [] };
      const [next, t] = timed(() => compile({ version: version++, hash: `p${version}`, resources, delta }, previous));
      previous = next;
      if (i >= 2) (kind === 'plugin' ? globalEdits : credentials).push(t);
    }
  }
  console.log(`incremental, global plugin edited:  median ${ms(median(globalEdits))} of ${globalEdits.length}, max ${ms(Math.max(...globalEdits))}`);
  console.log(`incremental, credential added:      median ${ms(median(credentials))} of ${credentials.length}, max ${ms(Math.max(...credentials))}`);
}

// What a one-route delta costs a data plane's node end to end before the
// swap: the cluster client's set (ConfigSet.applyDelta) and compile from the
// delta, as main.ts runs them, one new route per step.
{
  let set = ConfigSet.of(version, [...services, ...live.values()]);
  let config = compile({ version: set.version, hash: set.hash, resources: set }, previous);
  const steps: number[] = [];
  for (let i = 0; i < 200; i++) {
    const updated = [route(added++)];
    const t = performance.now();
    const next = set.applyDelta(set.version + 1, updated, []);
    config = compile({ version: next.version, hash: next.hash, resources: next, delta: { baseVersion: set.version, baseHash: set.hash, updated, removed: [] } }, config);
    if (i >= 20) steps.push(performance.now() - t);
    set = next;
  }
  console.log(`node set + compile, one route added as a delta: median ${ms(median(steps))} of ${steps.length}, max ${ms(Math.max(...steps))}`);
}
