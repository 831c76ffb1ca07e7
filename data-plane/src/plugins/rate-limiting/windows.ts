// Fixed rate-limit windows aligned as Kong aligns them (kong/tools/timestamp
// get_timestamps): UTC second, minute, hour, day, calendar month and year.
// The current window of each period is memoised until it ends, so the request
// path allocates nothing while a window lasts.
import { RATE_LIMIT_PERIODS, type RateLimitPeriod } from '@portico/shared';

export interface RateLimitWindow {
  readonly period: RateLimitPeriod;
  /** Index of the period in RATE_LIMIT_PERIODS (second = 0 … year = 5). */
  readonly slot: number;
  /** Window start and end, ms since the epoch (end exclusive). */
  readonly start: number;
  readonly end: number;
}

const FIXED_MS: Readonly<Partial<Record<RateLimitPeriod, number>>> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export const PERIOD_SLOT: Readonly<Record<RateLimitPeriod, number>> = Object.fromEntries(RATE_LIMIT_PERIODS.map((p, i) => [p, i])) as Record<RateLimitPeriod, number>;

/** The window of `period` that contains `now` (ms). */
export function windowAt(period: RateLimitPeriod, now: number): RateLimitWindow {
  const fixed = FIXED_MS[period];
  let start: number;
  let end: number;
  if (fixed !== undefined) {
    start = Math.floor(now / fixed) * fixed;
    end = start + fixed;
  } else {
    const d = new Date(now);
    const y = d.getUTCFullYear();
    if (period === 'month') {
      start = Date.UTC(y, d.getUTCMonth(), 1);
      end = Date.UTC(y, d.getUTCMonth() + 1, 1);
    } else {
      start = Date.UTC(y, 0, 1);
      end = Date.UTC(y + 1, 0, 1);
    }
  }
  return Object.freeze({ period, slot: PERIOD_SLOT[period], start, end });
}

const memo: (RateLimitWindow | undefined)[] = [];

/** windowAt, memoised per period: the same object until the window ends. */
export function currentWindow(period: RateLimitPeriod, now: number): RateLimitWindow {
  const slot = PERIOD_SLOT[period];
  const w = memo[slot];
  if (w !== undefined && now >= w.start && now < w.end) return w;
  const next = windowAt(period, now);
  memo[slot] = next;
  return next;
}

/** Seconds until the window ends, at least 1 (Kong's RateLimit-Reset / Retry-After). */
export const resetSeconds = (w: RateLimitWindow, now: number): number => Math.max(1, Math.ceil((w.end - now) / 1000));
