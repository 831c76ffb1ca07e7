// The machine side of the bench: finding (or installing) nginx and wrk, CPU
// pinning with taskset, and reading a process's resident memory.
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';

export function which(cmd: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir && existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  }
  return null;
}

/**
 * Makes sure the load generator and the nginx peers exist. As root it installs
 * the Debian packages that are missing (nginx-light, else nginx; wrk); as
 * anyone else it throws with the command to run.
 */
export function ensurePeerBinaries(log: (s: string) => void): { nginx: string; wrk: string; taskset: string | null } {
  const wanted: { bin: string; packages: string[] }[] = [
    { bin: 'nginx', packages: ['nginx-light', 'nginx'] },
    { bin: 'wrk', packages: ['wrk'] },
  ];
  const missing = wanted.filter((w) => which(w.bin) === null);
  if (missing.length > 0) {
    const isRoot = process.getuid?.() === 0;
    if (!isRoot || which('apt-get') === null) {
      throw new Error(
        `bench needs ${missing.map((m) => m.bin).join(' and ')}: install them first, e.g. ` +
          `sudo apt-get install -y ${missing.map((m) => m.packages[0]).join(' ')}`,
      );
    }
    log(`installing ${missing.map((m) => m.bin).join(', ')} with apt-get…`);
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    for (const m of missing) {
      const pkg = m.packages.find((p) => /Candidate: (?!\(none\))/.test(spawnSync('apt-cache', ['policy', p], { encoding: 'utf8' }).stdout ?? ''));
      if (!pkg) throw new Error(`no Debian package found for ${m.bin} (tried ${m.packages.join(', ')})`);
      const r = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.status !== 0 || which(m.bin) === null) throw new Error(`apt-get install ${pkg} failed`);
    }
  }
  return { nginx: which('nginx')!, wrk: which('wrk')!, taskset: which('taskset') };
}

/**
 * Which CPUs the proxy under test gets and which the load generator and the
 * upstream share. With fewer than two CPUs (or no taskset) nothing is pinned
 * and the report says so.
 */
export interface CpuPlan {
  pinned: boolean;
  proxyCpu: string;
  loadCpu: string;
  cpus: number;
  note: string;
}

export function cpuPlan(taskset: string | null, proxyCpu = '0', loadCpu = '1'): CpuPlan {
  const cpus = availableParallelism();
  if (taskset === null) return { pinned: false, proxyCpu, loadCpu, cpus, note: 'not pinned: taskset not found' };
  if (cpus < 2) return { pinned: false, proxyCpu, loadCpu, cpus, note: `not pinned: only ${cpus} CPU` };
  return { pinned: true, proxyCpu, loadCpu, cpus, note: `proxy on CPU ${proxyCpu}; wrk and upstream on CPU ${loadCpu} (${cpus} CPUs)` };
}

/**
 * The CPU a data plane starts pinned to (`startDataPlane({ cpu })`), undefined
 * when nothing is pinned. A data plane is pinned from its start rather than
 * after it, as a cpuset would: its launcher sizes V8's GC threads to the CPUs
 * it sees (bin/portico).
 */
export function startCpu(plan: CpuPlan, cpu: string): string | undefined {
  return plan.pinned ? cpu : undefined;
}

/** Pins every thread of `pid` to `cpu` (threads started later inherit it). */
export function pin(plan: CpuPlan, pid: number, cpu: string): void {
  if (!plan.pinned) return;
  execFileSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
}

/** The command prefix that starts a process already pinned. */
export function pinnedCommand(plan: CpuPlan, cpu: string, cmd: string, args: string[]): [string, string[]] {
  return plan.pinned ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
}

/** Resident set size in KiB from /proc/<pid>/status (VmRSS), null when unreadable. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
