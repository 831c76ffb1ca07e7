// Keeps one of Node's TickObjects alive for the life of the process, so that
// V8 keeps its hidden classes and process.nextTick keeps its fast path.
//
// process.nextTick builds each TickObject with an object literal that has two
// computed (symbol) keys. V8's feedback for that literal remembers, weakly,
// the maps it produced. A full GC that runs while no TickObject is alive (a
// data plane compiling a large config, the control plane's HeapRelease)
// collects those maps, and the next TickObject gets new ones; after four such
// GCs the feedback is megamorphic and every nextTick goes through V8's
// runtime for good. Measured on Node 20.20: 190 → 900 ns per nextTick after
// four full GCs in a plain script, and 7–9% of a 10,000-route data plane's
// CPU under load in about half of the runs (those whose config load happened
// to collect the maps). One TickObject that never dies keeps the maps alive.
// `node shared/dist/tick-shape-bench.js` reproduces it.
import { createHook } from 'node:async_hooks';

let pinned: object | null = null;

const noop = (): void => {};

/**
 * Captures one TickObject (through an async hook enabled for the one
 * nextTick it takes) and keeps it. Idempotent; returns whether one is held.
 */
export function pinTickObjectShape(): boolean {
  if (pinned !== null) return true;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject' && pinned === null) pinned = resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(noop);
  } finally {
    hook.disable();
  }
  return pinned !== null;
}

/** The object held (tests). */
export function pinnedTickObject(): object | null {
  return pinned;
}
