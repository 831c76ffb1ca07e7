// bin/portico, the launcher: a data-plane process whose CPU budget is one core
// (the CPUs it may run on ÷ its worker processes) runs V8 with
// --single-threaded-gc; one with cores to spare keeps V8's GC threads; and
// PORTICO_NODE_FLAGS come after the chosen flags. Read from the running
// processes' own command lines (/proc/PID/cmdline): what V8 was started with.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { startControlPlane, startDataPlane, type ControlPlane, type DataPlane } from '../lib/processes.js';
import { eventually, http, startUpstream, type Upstream } from '../lib/http.js';

const FLAG = '--single-threaded-gc';

function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
}

/** The Node flags: everything before the script (bin/portico.mjs). */
function nodeFlags(pid: number): string[] {
  const argv = cmdline(pid);
  const script = argv.findIndex((a) => a.endsWith('/bin/portico.mjs'));
  assert.ok(script > 0, `pid ${pid} does not run bin/portico.mjs: ${argv.join(' ')}`);
  return argv.slice(1, script);
}

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();
const cpus = availableParallelism();

describe('bin/portico picks the data plane GC threads for its CPU budget', () => {
  let cp: ControlPlane;
  let up: Upstream;
  const dps: DataPlane[] = [];

  const start = async (opts: Omit<Parameters<typeof startDataPlane>[0], 'controlPlane' | 'nodeId'>): Promise<DataPlane> => {
    const dp = await startDataPlane({ controlPlane: cp.clusterAddress, nodeId: `launcher-${dps.length + 1}`, ...opts });
    dps.push(dp);
    // Whatever flags it got, it serves.
    await eventually(async () => (await http('GET', `${dp.proxy}/up`)).status === 200, 10_000, `${dp.nodeId} proxies /up`);
    return dp;
  };

  before(async () => {
    cp = await startControlPlane();
    up = await startUpstream('up');
    assert.equal((await http('PUT', `${cp.admin}/services/up`, { url: up.url })).status, 200);
    assert.equal((await http('PUT', `${cp.admin}/services/up/routes/up`, { paths: ['/up'] })).status, 200);
  });
  after(async () => {
    await Promise.all(dps.map((d) => d.proc.stop()));
    await cp?.proc.stop();
    await up?.close();
  });

  test('one worker pinned to one CPU: single-threaded GC', { skip: !hasTaskset && 'taskset is not installed' }, async () => {
    const dp = await start({ cpu: '0', workers: 1 });
    assert.deepEqual(nodeFlags(dp.proc.pid), [FLAG]);
  });

  test('one worker with a second CPU to use: V8 keeps its GC threads', { skip: cpus < 2 && 'needs two CPUs' }, async () => {
    const dp = await start({ workers: 1 });
    assert.deepEqual(nodeFlags(dp.proc.pid), []);
  });

  test('--workers beats PORTICO_WORKERS', { skip: cpus < 2 && 'needs two CPUs' }, async () => {
    // With the environment's 64 workers the budget would be under one core.
    const dp = await start({ workers: 1, env: { PORTICO_WORKERS: '64' } });
    assert.deepEqual(nodeFlags(dp.proc.pid), []);
  });

  test('as many workers as CPUs: the primary and every worker run single-threaded GC', { skip: (!hasTaskset || cpus < 2) && 'needs taskset and two CPUs' }, async () => {
    const dp = await start({ cpu: '0,1', workers: 2 });
    assert.deepEqual(nodeFlags(dp.proc.pid), [FLAG]);
    const list = (await http('GET', `${dp.status}/status`)).json<{ workers: { list: { pid: number }[] } }>().workers.list;
    assert.equal(list.length, 2);
    for (const w of list) assert.ok(cmdline(w.pid).includes(FLAG), `worker ${w.pid}: ${cmdline(w.pid).join(' ')}`);
  });

  test('PORTICO_NODE_FLAGS come after the chosen flags, so they can undo them', { skip: !hasTaskset && 'taskset is not installed' }, async () => {
    const dp = await start({ cpu: '0', workers: 1, env: { PORTICO_NODE_FLAGS: '--no-single-threaded-gc --stack-size=2000' } });
    assert.deepEqual(nodeFlags(dp.proc.pid), [FLAG, '--no-single-threaded-gc', '--stack-size=2000']);
  });
});
