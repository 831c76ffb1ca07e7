import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { HeapRelease } from './heap-release.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('heap release: a quiet period after commits collects once when the heap grew past the threshold', async () => {
  let used = 100;
  let collected = 0;
  const h = new HeapRelease({ quietMs: 30, thresholdBytes: 50, measure: () => used, collect: async () => { collected++; used = 120; } });
  used = 200;
  h.poke();
  await sleep(10);
  h.poke(); // another commit: the quiet period starts again
  await sleep(15);
  assert.equal(collected, 0, 'not while commits keep coming');
  await sleep(40);
  assert.equal(collected, 1);
  // The baseline is what the collection left (120): growth to 150 is below the threshold.
  used = 150;
  h.poke();
  await sleep(50);
  assert.equal(collected, 1);
  used = 171;
  await h.check();
  assert.equal(collected, 2);
  h.close();
});

test('heap release: while the process is not idle the collection waits, and runs at the first idle look', async () => {
  let collected = 0;
  let busy = true;
  let looks = 0;
  let used = 100;
  const h = new HeapRelease({ quietMs: 20, thresholdBytes: 10, measure: () => used, collect: async () => void collected++, idle: () => (looks++, !busy) });
  used = 200;
  h.poke();
  await sleep(75);
  assert.equal(collected, 0, 'not while busy');
  assert.ok(looks >= 2, `looked again every quiet period (${looks} looks)`);
  busy = false;
  await sleep(45);
  assert.equal(collected, 1);
  const after = looks;
  await sleep(45);
  assert.equal(looks, after, 'no more looks once it ran');
  h.close();
});

test('heap release: the default collection really runs (inspector session) and gives the garbage back', async () => {
  const h = new HeapRelease({ thresholdBytes: 16 * 1024 * 1024 });
  // Old-generation garbage, as an import leaves: kept alive across young collections, then dropped.
  let junk: number[][] | null = Array.from({ length: 400 }, () => Array.from({ length: 20_000 }, (_, i) => i + 0.5));
  await sleep(50);
  const before = process.memoryUsage().heapUsed;
  junk.length = 0;
  junk = null;
  await h.check();
  const after = process.memoryUsage().heapUsed;
  assert.equal(h.collections, 1);
  assert.ok(before - after > 32 * 1024 * 1024, `heap used went from ${before} to ${after}`);
  h.close();
});

test('heap release: `unused` is measured as it stands, so a process that grew its young generation before it made one still gives it back', async () => {
  const unused = () => {
    const h = getHeapStatistics();
    return h.total_heap_size - h.used_heap_size;
  };
  // A load: objects that live through several young collections, then go (as a config a worker receives before it builds its core).
  let load: { id: string; paths: string[] }[] | null = [];
  for (let i = 0; i < 300_000; i++) load.push({ id: `r${i}`, paths: [`/p${i}`] });
  load = null;
  await sleep(10);
  const before = unused();
  assert.ok(before > 16 * 1024 * 1024, `the load left ${before} bytes committed and unused`);
  const h = new HeapRelease({ measure: 'unused', thresholdBytes: 16 * 1024 * 1024 });
  await h.check();
  assert.equal(h.collections, 1);
  assert.ok(unused() < before / 2, `unused heap went from ${before} to ${unused()}`);
  await h.check();
  assert.equal(h.collections, 1, 'nothing left to give back: no second collection');
  h.close();
});
