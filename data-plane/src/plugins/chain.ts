// Running a route's plugin chain, phase by phase. The chain was resolved at
// compile time (resolve.ts): entries in Kong's priority order, each the one
// instance that applies by Kong's precedence, and per consumer an overlay
// chain for consumers that have consumer-scoped instances. When an auth
// plugin identifies a consumer, the runner switches to that consumer's
// overlay with one map lookup and carries on after the plugin that ran.
import type { PluginContext } from './context.js';
import type { AccessResult, PluginHandlers, ResponseHead } from './types.js';

export interface ChainEntry {
  readonly name: string;
  /** Position of the plugin name in Kong's global order (priority desc, then name). */
  readonly rank: number;
  readonly pluginId: string;
  readonly handlers: PluginHandlers;
}

export interface PluginChain {
  readonly entries: readonly ChainEntry[];
  /** consumer id → the chain as resolved for that consumer; null when no consumer-scoped plugin applies here. */
  readonly byConsumer: ReadonlyMap<string, readonly ChainEntry[]> | null;
}

/** A route's chains by request protocol; a null chain means nothing to run for that protocol. */
export interface RoutePlugins {
  readonly http: PluginChain | null;
  readonly https: PluginChain | null;
  /** Identity of the resolution, so an unchanged chain keeps its compiled route. */
  readonly signature: string;
}

const isPromise = (v: unknown): v is Promise<AccessResult> => typeof (v as { then?: unknown } | undefined)?.then === 'function';

/** Runs the access phase; synchronous unless a plugin had to wait. */
export function runAccess(ctx: PluginContext, chain: PluginChain): AccessResult | Promise<AccessResult> {
  ctx.entries = chain.entries;
  return runFrom(ctx, chain, 0);
}

function runFrom(ctx: PluginContext, chain: PluginChain, start: number): AccessResult | Promise<AccessResult> {
  for (let i = start; i < ctx.entries.length; i++) {
    const entry = ctx.entries[i]!;
    ctx.ran = i + 1;
    const access = entry.handlers.access;
    if (access === undefined) continue;
    const r = access.call(entry.handlers, ctx);
    if (r !== undefined) {
      if (!isPromise(r)) return r;
      return r.then((res) => (res !== undefined ? res : runFrom(ctx, chain, afterConsumerCheck(ctx, chain, i) + 1)));
    }
    i = afterConsumerCheck(ctx, chain, i);
  }
  return undefined;
}

/**
 * After entry `i` ran: if it identified a consumer with an overlay, continue
 * on the overlay at the first plugin ranked after the one that ran. Returns
 * the index the loop continues after.
 */
function afterConsumerCheck(ctx: PluginContext, chain: PluginChain, i: number): number {
  const consumer = ctx.consumer;
  if (consumer === ctx.resolvedFor || chain.byConsumer === null) return i;
  ctx.resolvedFor = consumer;
  const overlay = consumer === null ? undefined : chain.byConsumer.get(consumer.id);
  if (overlay === undefined || overlay === ctx.entries) return i;
  const rank = ctx.entries[i]!.rank;
  ctx.earlier = ctx.entries;
  ctx.earlierRan = ctx.ran;
  ctx.entries = overlay;
  let j = 0;
  while (j < overlay.length && overlay[j]!.rank <= rank) j++;
  ctx.ran = j;
  return j - 1;
}

/** Response phase for the plugins that ran in access, in the same order. */
export function runResponse(ctx: PluginContext, head: ResponseHead): void {
  const earlier = ctx.earlier;
  if (earlier !== null) {
    for (let i = 0; i < ctx.earlierRan; i++) earlier[i]!.handlers.response?.(ctx, head);
    const rank = earlier[ctx.earlierRan - 1]?.rank ?? -1;
    for (let i = 0; i < ctx.ran; i++) if (ctx.entries[i]!.rank > rank) ctx.entries[i]!.handlers.response?.(ctx, head);
    return;
  }
  for (let i = 0; i < ctx.ran; i++) ctx.entries[i]!.handlers.response?.(ctx, head);
}

/**
 * Log phase, once per request, after the response finished. Every plugin of
 * the chain logs, also those after one that answered in access: Kong runs the
 * log phase for all the plugins it collected for the request, which is how
 * prometheus counts key-auth's 401s.
 */
export function runLog(ctx: PluginContext): void {
  const entries = ctx.entries;
  const earlier = ctx.earlier;
  if (earlier !== null) {
    for (let i = 0; i < ctx.earlierRan; i++) earlier[i]!.handlers.log?.(ctx);
    const rank = earlier[ctx.earlierRan - 1]?.rank ?? -1;
    for (let i = 0; i < entries.length; i++) if (entries[i]!.rank > rank) entries[i]!.handlers.log?.(ctx);
    return;
  }
  for (let i = 0; i < entries.length; i++) entries[i]!.handlers.log?.(ctx);
}
