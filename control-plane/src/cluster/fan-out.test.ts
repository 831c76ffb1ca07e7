import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FanOutLimiter } from './fan-out.js';

/** Acquires `bytes` and records when it is granted; `done` gives it back. */
function ask(limiter: FanOutLimiter, bytes: number, log: string[], name: string) {
  const held: { done: (() => void) | null } = { done: null };
  const cancel = limiter.acquire(bytes, (done) => {
    log.push(name);
    held.done = done;
  });
  return { held, cancel };
}

test('fan-out: requests within the budget start at once; the rest wait in order and start as bytes are given back', () => {
  const limiter = new FanOutLimiter({ maxBytes: 100, holdMs: 60_000 });
  const log: string[] = [];
  const a = ask(limiter, 60, log, 'a');
  const b = ask(limiter, 40, log, 'b');
  const c = ask(limiter, 30, log, 'c');
  const d = ask(limiter, 10, log, 'd');
  assert.deepEqual(log, ['a', 'b'], 'c waits, and d waits behind it (no overtaking)');
  assert.deepEqual({ bytes: limiter.bytesInFlight, waiting: limiter.waiting }, { bytes: 100, waiting: 2 });
  a.held.done!();
  assert.deepEqual(log, ['a', 'b', 'c', 'd']);
  a.held.done!(); // twice is once
  assert.equal(limiter.bytesInFlight, 80);
  for (const x of [b, c, d]) x.held.done!();
  assert.equal(limiter.bytesInFlight, 0);
});

test('fan-out: one request larger than the whole budget still goes, alone', () => {
  const limiter = new FanOutLimiter({ maxBytes: 10, holdMs: 60_000 });
  const log: string[] = [];
  const big = ask(limiter, 500, log, 'big');
  ask(limiter, 1, log, 'small');
  assert.deepEqual(log, ['big']);
  big.held.done!();
  assert.deepEqual(log, ['big', 'small']);
});

test('fan-out: cancelling a waiting request withdraws it and lets the ones behind it move; cancelling a granted one gives its bytes back', () => {
  const limiter = new FanOutLimiter({ maxBytes: 100, holdMs: 60_000 });
  const log: string[] = [];
  const a = ask(limiter, 100, log, 'a');
  const b = ask(limiter, 100, log, 'b');
  const c = ask(limiter, 50, log, 'c');
  b.cancel();
  assert.equal(limiter.waiting, 1);
  a.cancel();
  assert.deepEqual(log, ['a', 'c']);
  assert.equal(limiter.bytesInFlight, 50);
  c.cancel();
  c.cancel();
  assert.equal(limiter.bytesInFlight, 0);
});

test('fan-out: a grant held past holdMs is released and reported', async () => {
  let expired = 0;
  const limiter = new FanOutLimiter({ maxBytes: 10, holdMs: 20, onExpired: () => expired++ });
  const log: string[] = [];
  ask(limiter, 10, log, 'stuck');
  const next = ask(limiter, 10, log, 'next');
  assert.deepEqual(log, ['stuck']);
  while (log.length < 2) await new Promise((r) => setTimeout(r, 5));
  next.held.done!();
  assert.deepEqual({ log, expired, bytes: limiter.bytesInFlight }, { log: ['stuck', 'next'], expired: 1, bytes: 0 });
});
