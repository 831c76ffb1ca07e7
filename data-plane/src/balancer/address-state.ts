// Per-address runtime numbers every algorithm keeps the same way, so an
// upstream that switches algorithm (or a balancer rebuilt by a swap or a DNS
// change) starts from what the last one knew.
import { performance } from 'node:perf_hooks';
import type { AddressState, BalancerContext, TargetAddress } from './types.js';

/** Kong's latency balancer: the EWMA forgets with a 10 s time constant. */
export const DECAY_MS = 10_000;
/** A failed attempt counts as at least this slow, so a fast-failing address never looks fast. */
export const FAILURE_PENALTY_MS = 1_000;

export const newAddressState = (): AddressState => ({ inflight: 0, ewma: 0, ewmaAt: 0, sampled: false });

export const defaultNow = (): number => performance.now();
export const clockOf = (ctx: BalancerContext): (() => number) => ctx.now ?? defaultNow;
export const randomOf = (ctx: BalancerContext): (() => number) => ctx.random ?? Math.random;

/** Counts a pick (every algorithm, so least-connections is right after a switch). */
export function acquire(a: TargetAddress): TargetAddress {
  a.state.inflight++;
  return a;
}

/**
 * Counts a release and folds its latency into the EWMA: the first sample sets
 * it; a slower sample than the average takes over at once (Finagle's peak
 * EWMA: slowness is noticed at the first slow response); a faster one is
 * blended by elapsed time (Kong's decay), so recovery is gradual.
 */
export function recordRelease(s: AddressState, failed: boolean, latencyMs: number, now: number): void {
  if (s.inflight > 0) s.inflight--;
  const sample = failed ? Math.max(latencyMs, FAILURE_PENALTY_MS) : Math.max(0, latencyMs);
  if (!s.sampled || sample >= s.ewma) s.ewma = sample;
  else {
    const w = Math.exp(-Math.max(0, now - s.ewmaAt) / DECAY_MS);
    s.ewma = s.ewma * w + sample * (1 - w);
  }
  s.ewmaAt = now;
  s.sampled = true;
}

/**
 * The EWMA as seen now: it decays toward 0 while the address is not sampled
 * (Kong reads it with a zero sample), so an address avoided for being slow is
 * probed again after a while and can show it recovered.
 */
export function decayedEwma(s: AddressState, now: number): number {
  if (!s.sampled) return 0;
  return s.ewma * Math.exp(-Math.max(0, now - s.ewmaAt) / DECAY_MS);
}
