import assert from 'node:assert/strict';
import { it } from 'node:test';
import { currentWindow, resetSeconds, windowAt } from './windows.js';

it('windows are aligned to UTC boundaries as Kong aligns them, months and years by the calendar', () => {
  const t = Date.UTC(2024, 1, 29, 13, 45, 30, 250); // leap day
  assert.equal(windowAt('second', t).start, Date.UTC(2024, 1, 29, 13, 45, 30));
  assert.equal(windowAt('minute', t).start, Date.UTC(2024, 1, 29, 13, 45));
  assert.equal(windowAt('hour', t).start, Date.UTC(2024, 1, 29, 13));
  assert.equal(windowAt('day', t).start, Date.UTC(2024, 1, 29));
  assert.equal(windowAt('day', t).end, Date.UTC(2024, 2, 1));
  assert.equal(windowAt('month', t).start, Date.UTC(2024, 1, 1));
  assert.equal(windowAt('month', t).end, Date.UTC(2024, 2, 1));
  assert.equal(windowAt('year', t).start, Date.UTC(2024, 0, 1));
  assert.equal(windowAt('year', t).end, Date.UTC(2025, 0, 1));
  assert.equal(resetSeconds(windowAt('minute', t), t), 30);
  assert.equal(resetSeconds(windowAt('second', t), t), 1);
});

it('currentWindow returns the same object while the window lasts and a new one after', () => {
  const t = Date.UTC(2030, 0, 1, 0, 0, 10);
  const a = currentWindow('minute', t);
  assert.equal(currentWindow('minute', t + 49_000), a);
  assert.notEqual(currentWindow('minute', t + 50_000), a);
});
