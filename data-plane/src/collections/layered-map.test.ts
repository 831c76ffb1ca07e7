import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LayeredMap } from './layered-map.js';

/** A small deterministic PRNG, so a failure replays. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const contents = <K, V>(m: ReadonlyMap<K, V>) => ({ entries: [...m], keys: [...m.keys()], values: [...m.values()], size: m.size });

describe('LayeredMap', () => {
  it('matches a Map under random sets, deletes and forks, and never changes an earlier generation', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = rng(seed);
      const start = new Map<string, number>(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
      let layered = LayeredMap.over(new Map(start));
      let reference = new Map(start);
      const generations: { map: LayeredMap<string, number>; expect: ReturnType<typeof contents> }[] = [];
      for (let gen = 0; gen < 300; gen++) {
        layered = layered.fork();
        reference = new Map(reference);
        const ops = 1 + Math.floor(next() * 6);
        for (let o = 0; o < ops; o++) {
          const key = `k${Math.floor(next() * 260)}`; // some keys beyond the base: additions
          const r = next();
          if (r < 0.45) {
            assert.equal(layered.delete(key), reference.delete(key), `seed ${seed} gen ${gen}: delete ${key}`);
          } else {
            const value = Math.floor(next() * 1e6);
            layered.set(key, value);
            reference.set(key, value);
          }
          assert.equal(layered.get(key), reference.get(key));
          assert.equal(layered.has(key), reference.has(key));
        }
        assert.deepEqual(contents(layered), contents(reference), `seed ${seed} gen ${gen}`);
        generations.push({ map: layered, expect: contents(reference) });
      }
      for (const [i, g] of generations.entries()) assert.deepEqual(contents(g.map), g.expect, `seed ${seed}: generation ${i} changed after later forks`);
    }
  });

  it('a key deleted from the base and set again moves to the end, as in a Map', () => {
    const m = LayeredMap.over(new Map([['a', 1], ['b', 2], ['c', 3]])).fork();
    m.delete('a');
    m.set('a', 9);
    m.set('b', 5);
    assert.deepEqual([...m], [['b', 5], ['c', 3], ['a', 9]]);
    assert.equal(m.size, 3);
    assert.equal(m.delete('zz'), false);
  });

  it('folds a long chain of forks into a new base (the layers stay small)', () => {
    let m = LayeredMap.over(new Map(Array.from({ length: 1000 }, (_, i) => [i, i] as const)));
    let most = 0;
    for (let i = 0; i < 500; i++) {
      m = m.fork();
      m.set(1000 + i, i);
      most = Math.max(most, m.layered);
    }
    assert.ok(most <= Math.max(32, 1500 >> 4) + 1, `the layers reached ${most} keys`);
    assert.equal(m.size, 1500);
    assert.deepEqual([...m.keys()].slice(-3), [1497, 1498, 1499]);
    // The layers hold only what came since the last fold: more than 32 keys and a sixteenth of the base folds at the next fork.
    assert.ok(m.layered <= Math.max(32, 1500 >> 4) + 1, `${m.layered} keys in the layers`);
  });
});
