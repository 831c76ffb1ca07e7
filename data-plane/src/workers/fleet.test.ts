import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkerFleet } from './fleet.js';

describe('worker fleet: when a config version is live on every worker', () => {
  it('waits for every worker, and a worker that exits stops counting', async () => {
    const f = new WorkerFleet();
    f.add(1, 101, 0);
    f.add(2, 102, 0);
    let done: boolean | undefined;
    void f.whenApplied(7, 5_000).then((v) => (done = v));
    f.applied(1, 7, 'h7');
    await Promise.resolve();
    assert.equal(done, undefined, 'worker 2 has not applied yet');
    f.remove(2);
    await Promise.resolve();
    assert.equal(done, true);
  });

  it('a later version counts for an earlier one; an older report never steps a worker back', async () => {
    const f = new WorkerFleet();
    f.add(1, 101, 0);
    f.applied(1, 9, 'h9');
    f.applied(1, 8, 'h8');
    assert.equal(f.list()[0]!.version, 9);
    assert.equal(await f.whenApplied(8, 1_000), true);
  });

  it('a draining worker is not waited for; a starting one is', async () => {
    const f = new WorkerFleet();
    f.add(1, 101, 0);
    f.add(2, 102, 1);
    f.applied(1, 3, 'h');
    assert.equal(f.allApplied(3), false);
    f.draining(2);
    assert.equal(f.allApplied(3), true);
  });

  it('gives up after the timeout and says so', async () => {
    const f = new WorkerFleet();
    f.add(1, 101, 0);
    assert.equal(await f.whenApplied(1, 20), false);
  });
});
