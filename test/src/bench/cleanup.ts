// Everything the bench starts (nginx, peers, Portico, wrk) registers a stop
// function here. They run in reverse order on normal exit, on failure and on
// Ctrl-C / SIGTERM, so a bench never leaves a process behind.
import { readdirSync, readFileSync } from 'node:fs';

type Stop = () => Promise<unknown> | unknown;

const stops: { label: string; stop: Stop }[] = [];
let running: Promise<void> | undefined;

/** Registers `stop`; returns a function that runs it now and unregisters it. */
export function onCleanup(label: string, stop: Stop): () => Promise<void> {
  const entry = { label, stop };
  stops.push(entry);
  return async () => {
    const i = stops.indexOf(entry);
    if (i < 0) return;
    stops.splice(i, 1);
    await runOne(entry);
  };
}

async function runOne(entry: { label: string; stop: Stop }): Promise<void> {
  try {
    await entry.stop();
  } catch (err) {
    process.stderr.write(`bench: stopping ${entry.label} failed: ${String(err)}\n`);
  }
}

/** True once cleanup has begun: scenarios stop starting new things. */
export function aborting(): boolean {
  return running !== undefined;
}

export function cleanupAll(): Promise<void> {
  return (running ??= (async () => {
    while (stops.length > 0) await runOne(stops.pop()!);
    await stopStrayChildren();
  })());
}

/**
 * Last line of defence: any direct child of this process still alive (one
 * started between a signal and its registration) gets SIGTERM, then SIGKILL.
 * Only our own children, by pid.
 */
async function stopStrayChildren(): Promise<void> {
  const children = (): number[] => {
    const out: number[] = [];
    let pids: string[] = [];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch {
      return out;
    }
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[1]) === process.pid && fields[0] !== 'Z') out.push(Number(pid));
      } catch {
        /* gone */
      }
    }
    return out;
  };
  let left = children();
  if (left.length === 0) return;
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = children();
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Installs the signal handlers once: the second Ctrl-C exits at once. */
export function installSignalCleanup(): void {
  let signalled = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (signalled) process.exit(130);
      signalled = true;
      process.stderr.write(`\nbench: ${sig}, stopping everything it started…\n`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}
