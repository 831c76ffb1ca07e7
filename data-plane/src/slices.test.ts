import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInSlices, runToEnd, type Steps } from './slices.js';

function* count(to: number, spinMs = 0): Steps<number> {
  let n = 0;
  for (let i = 0; i < to; i++) {
    const until = performance.now() + spinMs;
    while (performance.now() < until); // work that holds the thread
    n++;
    yield;
  }
  return n;
}

function* failing(after: number): Steps<number> {
  for (let i = 0; i < after; i++) yield;
  throw new Error('bad resource');
}

describe('slices', () => {
  it('runToEnd runs every step at once', () => {
    assert.equal(runToEnd(count(1000)), 1000);
  });

  it('runInSlices hands the event loop back between slices, and resolves with the result', async () => {
    let turns = 0;
    let finished = false;
    // An I/O-like callback that keeps asking for the loop while the work runs.
    const tick = (): void => {
      if (finished) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const { value, stats } = await runInSlices(count(40, 1), 5);
    finished = true;
    assert.equal(value, 40);
    assert.ok(stats.slices >= 4, `40 steps of 1 ms in 5 ms slices took ${stats.slices} slice(s)`);
    assert.ok(turns >= stats.slices - 1, `the loop ran ${turns} time(s) between ${stats.slices} slices`);
    assert.ok(stats.longestMs >= 1);
  });

  it('rejects with what the steps threw, and runs no further', async () => {
    await assert.rejects(runInSlices(failing(100), 0), /bad resource/);
    assert.throws(() => runToEnd(failing(3)), /bad resource/);
  });
});
