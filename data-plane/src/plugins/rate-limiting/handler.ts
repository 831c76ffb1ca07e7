// rate-limiting, `local` policy (Kong 3.x kong/plugins/rate-limiting/handler.lua).
// Access: read the usage of every configured period, answer 429 when one is
// used up, else count this request (one store.consume call does both) (Kong increments in access too, so the
// limit holds for requests still in flight). Header names, limits and the
// limit-key function are prepared once per instance.
import { RATE_LIMIT_PERIODS, type RateLimitingConfig, type RateLimitPeriod } from '@portico/shared';
import type { PluginContext } from '../context.js';
import { PLUGIN_INTERNAL_ERROR } from '../answer.js';
import type { AccessResult, MessageAnswer, PluginEnv, PluginHandlers, PluginInstance } from '../types.js';
import type { RateLimitStore } from './store.js';
import { currentWindow, resetSeconds, type RateLimitWindow } from './windows.js';

interface Limit {
  readonly period: RateLimitPeriod;
  readonly limit: number;
  /** Kong's X-RateLimit-Limit-<Period> / X-RateLimit-Remaining-<Period>. */
  readonly limitHeader: string;
  readonly remainingHeader: string;
  /** String form of the limit, made once. */
  readonly limitText: string;
}

const capital = (p: string): string => p.charAt(0).toUpperCase() + p.slice(1);

type KeyOf = (ctx: PluginContext) => string;

/** Kong's get_identifier: the limit key, falling back to the client address. */
function keyFunction(c: RateLimitingConfig): KeyOf {
  switch (c.limit_by) {
    case 'consumer':
      return (ctx) => ctx.consumer?.id ?? ctx.credential?.id ?? ctx.clientIp;
    case 'credential':
      return (ctx) => ctx.credential?.id ?? ctx.clientIp;
    case 'service':
      return (ctx) => ctx.service.id;
    case 'header': {
      const name = (c.header_name ?? '').toLowerCase();
      return (ctx) => {
        const v = ctx.headers[name];
        return typeof v === 'string' ? v : Array.isArray(v) && v[0] !== undefined ? v[0] : ctx.clientIp;
      };
    }
    case 'path': {
      const path = c.path;
      return (ctx) => (ctx.path === path ? ctx.path : ctx.clientIp);
    }
    default:
      return (ctx) => ctx.clientIp;
  }
}

export function createRateLimiting(c: RateLimitingConfig, env: PluginEnv): PluginInstance | string {
  if (c.policy !== 'local') return `config.policy: policy '${c.policy}' is not supported by this data plane (only 'local')`;
  const limits: Limit[] = RATE_LIMIT_PERIODS.flatMap((period): Limit[] => {
    const limit = c[period];
    return limit === null ? [] : [{ period, limit, limitText: String(limit), limitHeader: `X-RateLimit-Limit-${capital(period)}`, remainingHeader: `X-RateLimit-Remaining-${capital(period)}` }];
  });
  return { handlers: new RateLimitingHandlers(env.pluginId, c, limits, keyFunction(c), env.runtime.rateLimits, env.runtime.log, env.runtime.now) };
}

class RateLimitingHandlers implements PluginHandlers {
  readonly #windows: RateLimitWindow[];
  readonly #exceeded: MessageAnswer;
  readonly #limitValues: readonly number[];

  constructor(
    readonly pluginId: string,
    readonly config: RateLimitingConfig,
    readonly limits: readonly Limit[],
    readonly keyOf: KeyOf,
    readonly store: RateLimitStore,
    readonly logger: PluginEnv['runtime']['log'],
    readonly now: () => number,
  ) {
    this.#limitValues = limits.map((l) => l.limit);
    this.#windows = limits.map((l) => currentWindow(l.period, now()));
    this.#exceeded = { kind: 'message', status: config.error_code, message: config.error_message };
  }

  access(ctx: PluginContext): AccessResult | Promise<AccessResult> {
    const now = this.now();
    const windows = this.#windows;
    for (let i = 0; i < windows.length; i++) windows[i] = currentWindow(this.limits[i]!.period, now);
    const key = this.keyOf(ctx);
    let usage;
    try {
      // Read and count in one step (store.consume), so a store shared by processes stays exact.
      usage = this.store.consume(this.pluginId, key, windows, this.#limitValues, 1);
    } catch (err) {
      return this.#failed(err);
    }
    if (usage instanceof Promise) {
      // A remote store: windows must not change under us while waiting.
      const mine = windows.slice();
      return usage.then((u) => this.#decide(ctx, mine, u, now), (err: unknown) => this.#failed(err));
    }
    return this.#decide(ctx, windows, usage, now);
  }

  #decide(ctx: PluginContext, windows: readonly RateLimitWindow[], usage: readonly number[], now: number): AccessResult {
    const limits = this.limits;
    // Kong: `stop` is the last period (in config order) whose limit is used up.
    let stop = -1;
    for (let i = 0; i < limits.length; i++) if (limits[i]!.limit - usage[i]! <= 0) stop = i;

    let headers: string[] | undefined;
    let reset = 0;
    if (!this.config.hide_client_headers) {
      headers = [];
      // RateLimit-* describe the most constrained period: least remaining, then the longest window.
      let best = -1;
      let bestRemaining = 0;
      for (let i = 0; i < limits.length; i++) {
        const l = limits[i]!;
        let remaining = l.limit - usage[i]!;
        if (stop === -1 || stop === i) remaining -= 1;
        remaining = Math.max(0, remaining);
        if (best === -1 || remaining < bestRemaining || (remaining === bestRemaining && windows[i]!.end - windows[i]!.start > windows[best]!.end - windows[best]!.start)) {
          best = i;
          bestRemaining = remaining;
        }
        headers.push(l.limitHeader, l.limitText, l.remainingHeader, String(remaining));
      }
      reset = resetSeconds(windows[best]!, now);
      headers.push('RateLimit-Limit', limits[best]!.limitText, 'RateLimit-Remaining', String(bestRemaining), 'RateLimit-Reset', String(reset));
    }
    if (stop !== -1) {
      if (headers !== undefined) {
        headers.push('Retry-After', String(reset));
        return { ...this.#exceeded, headers };
      }
      return this.#exceeded;
    }
    if (headers !== undefined) {
      if (ctx.responseHeaders === null) ctx.responseHeaders = headers;
      else ctx.responseHeaders.push(...headers);
    }
    return undefined;
  }

  #failed(err: unknown): AccessResult {
    this.logger?.error({ err, plugin: 'rate-limiting', plugin_id: this.pluginId }, 'failed to get usage');
    return this.config.fault_tolerant ? undefined : PLUGIN_INTERNAL_ERROR;
  }
}
