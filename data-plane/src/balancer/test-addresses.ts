// Builders for balancer tests: targets, addresses, request inputs, a seeded
// random source and a health view driven by a set. Test support only.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { CompiledTarget } from '../compile/types.js';
import type { HealthView } from '../health/types.js';
import { newAddressState } from './address-state.js';
import type { BalancerContext, PickInput, TargetAddress } from './types.js';

export function target(index: number, weight: number, host = '127.0.0.1', port = 9000 + index): CompiledTarget {
  return { id: `t${index}`, index, host, port, weight, target: `${host}:${port}`, isName: false };
}

/** One address per target (an IP target), each with fresh state. */
export function addressOf(t: CompiledTarget, ip = t.host): TargetAddress {
  return { target: t, ip, port: t.port, weight: t.weight, address: `${ip}:${t.port}`, state: newAddressState() };
}

export const addresses = (...weights: number[]): TargetAddress[] => weights.map((w, i) => addressOf(target(i, w)));

/** Same targets and state objects, new address objects: what a rebuild hands a factory. */
export const rebuilt = (list: readonly TargetAddress[]): TargetAddress[] => list.map((a) => ({ ...a }));

export function request(url = '/', headers: IncomingHttpHeaders = {}, extra: Partial<Omit<PickInput, 'req'>> = {}): PickInput {
  return { req: { url, headers } as IncomingMessage, clientIp: '10.0.0.1', consumerId: null, setCookie: null, ...extra };
}

/** mulberry32: a small seeded PRNG so "random" picks repeat exactly. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A health view marking the addresses in `down` unavailable. */
export function healthDown(down: Set<string>): HealthView {
  return { isAvailable: (_u, address) => !down.has(address) };
}

export function context(over: Partial<BalancerContext> = {}): BalancerContext {
  return { upstream: 'u', health: { isAvailable: () => true }, random: seeded(42), now: () => 1_000, ...over };
}
