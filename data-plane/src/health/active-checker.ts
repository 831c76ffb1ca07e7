// Kong's active health checks for one upstream: a loop probing the healthy
// targets every healthy.interval and one probing the unhealthy targets every
// unhealthy.interval (either off when its interval is 0). A loop schedules
// its next round only when the last one finished, so rounds never overlap;
// both loops share one limit of `concurrency` probes at a time. The target
// set is read each round, so target changes need no restart.
import type { ActiveConfig } from './config.js';
import { probe, type ProbeResult, type ProbeTarget } from './probe.js';
import type { TargetHealth } from './target-health.js';
import type { UpstreamHealth } from './upstream-health.js';

export type ProbeFn = (t: ProbeTarget, cfg: ActiveConfig, signal: AbortSignal) => Promise<ProbeResult>;

export class ActiveChecker {
  readonly #health: UpstreamHealth;
  readonly #cfg: ActiveConfig;
  readonly #probe: ProbeFn;
  readonly #abort = new AbortController();
  readonly #timers = new Set<NodeJS.Timeout>();
  #running = 0;
  readonly #slots: (() => void)[] = [];
  #stopped = false;
  /** Probes started so far (tests, status). */
  probes = 0;

  constructor(health: UpstreamHealth, cfg: ActiveConfig, probeFn: ProbeFn = probe) {
    this.#health = health;
    this.#cfg = cfg;
    this.#probe = probeFn;
  }

  get config(): ActiveConfig {
    return this.#cfg;
  }

  start(): void {
    // The first round of each loop runs at once: a target found dead at start-up is known within one probe.
    if (this.#cfg.healthyIntervalMs > 0) this.#schedule(true, 0);
    if (this.#cfg.unhealthyIntervalMs > 0) this.#schedule(false, 0);
  }

  /** Stops both loops and aborts probes in flight; their results are dropped. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#abort.abort();
    for (const wake of this.#slots.splice(0)) wake();
  }

  #schedule(healthy: boolean, ms: number): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#round(healthy).then(() => this.#schedule(healthy, healthy ? this.#cfg.healthyIntervalMs : this.#cfg.unhealthyIntervalMs));
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  async #round(healthy: boolean): Promise<void> {
    this.#health.refreshAddresses();
    const due: TargetHealth[] = [];
    // Weight-0 targets take no traffic: Kong does not probe them.
    for (const t of this.#health.targets.values()) if (t.weight > 0 && t.activeHealthy === healthy) due.push(t);
    await Promise.all(due.map((t) => this.#probeOne(t)));
  }

  async #probeOne(t: TargetHealth): Promise<void> {
    await this.#slot();
    if (this.#stopped) return;
    this.probes++;
    try {
      const r = await this.#probe(t, this.#cfg, this.#abort.signal);
      // A target removed meanwhile, or a stopped checker: the result means nothing now.
      if (!this.#stopped && this.#health.targets.get(t.address) === t) this.#health.active(t, r.outcome, this.#cfg, { probe: r.detail });
    } finally {
      this.#running--;
      this.#slots.shift()?.();
    }
  }

  #slot(): Promise<void> {
    if (this.#running < this.#cfg.concurrency || this.#stopped) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.#slots.push(() => {
        this.#running++;
        resolve();
      }),
    );
  }
}
