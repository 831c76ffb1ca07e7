// nextTick's cost before and after full GCs, with and without
// pinTickObjectShape (a plain script, not a test):
//   node shared/dist/tick-shape-bench.js
// Each variant runs in its own process with --expose-gc, so they share no
// V8 state. See tick-shape.ts for why the numbers differ.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinTickObjectShape } from './tick-shape.js';

const GCS = 6;

function nsPerTick(n = 200_000): Promise<number> {
  return new Promise((resolve) => {
    let i = 0;
    const t = performance.now();
    const step = (): void => {
      if (++i === n) resolve(((performance.now() - t) * 1e6) / n);
      else process.nextTick(step);
    };
    process.nextTick(step);
  });
}

async function child(pin: boolean): Promise<void> {
  if (pin) pinTickObjectShape();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  await nsPerTick();
  const before = await nsPerTick();
  for (let i = 0; i < GCS; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    await nsPerTick(20_000);
  }
  const after = await nsPerTick();
  process.stdout.write(`${pin ? 'pinned  ' : 'unpinned'}  before ${before.toFixed(0)} ns/nextTick, after ${GCS} full GCs ${after.toFixed(0)} ns/nextTick\n`);
}

const role = process.argv[2];
if (role === 'pinned' || role === 'unpinned') await child(role === 'pinned');
else {
  const self = fileURLToPath(import.meta.url);
  for (const variant of ['unpinned', 'pinned']) {
    const r = spawnSync(process.execPath, ['--expose-gc', self, variant], { encoding: 'utf8' });
    process.stdout.write(r.stdout || r.stderr);
  }
}
