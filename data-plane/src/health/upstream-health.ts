// One upstream's health, by upstream name: its targets' states, the rules
// that move them (Kong's active/passive thresholds, Envoy's ejection with
// back-off and a max-ejected share) and its circuit breaker. Outlives config
// swaps; the registry updates its config and target set in place.
import { performance } from 'node:perf_hooks';
import { CircuitBreaker } from './circuit-breaker.js';
import { Outcome, type ActiveConfig, type UpstreamHealthConfig } from './config.js';
import { TargetHealth } from './target-health.js';

export type TransitionReason = 'active' | 'passive' | 'ejection ended' | 'active success';
export type OnTransition = (t: TargetHealth, available: boolean, reason: TransitionReason, detail: Record<string, unknown>) => void;

export class UpstreamHealth {
  config: UpstreamHealthConfig;
  /** By address; the registry adds and prunes. */
  readonly targets = new Map<string, TargetHealth>();
  readonly breaker: CircuitBreaker;
  ejectedCount = 0;
  /** The addresses being balanced now (DNS answers included), from the serving compiled upstream. */
  addresses: (() => readonly { readonly address: string; readonly ip: string; readonly port: number; readonly weight: number; readonly target: { readonly id: string } }[]) | null = null;
  #closed = false;

  constructor(
    readonly name: string,
    config: UpstreamHealthConfig,
    private readonly onTransition: OnTransition,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.config = config;
    this.breaker = new CircuitBreaker(config.breakers, now);
  }

  get checksOn(): boolean {
    return this.config.active !== null || this.config.passive !== null;
  }

  setConfig(config: UpstreamHealthConfig): void {
    if (config === this.config) return;
    const passiveWasOn = this.config.passive !== null;
    const activeWasOn = this.config.active !== null;
    this.config = config;
    this.breaker.setLimits(config.breakers);
    // Checks turned off: nothing may stay out of the pool on their word.
    if (passiveWasOn && config.passive === null) for (const t of this.targets.values()) if (t.ejected) this.#readmit(t, 'ejection ended');
    if (activeWasOn && config.active === null) {
      for (const t of this.targets.values()) {
        t.resetActiveCounters();
        if (!t.activeHealthy) this.#setActive(t, true, 'active', { checks: 'off' });
      }
    }
  }

  // ── passive (request path: integer ops only) ──────────────────────────

  /**
   * What a proxied attempt to `t` showed. Feeds the circuit breaker's failure
   * count (connection failures and timeouts); judges the target only when
   * passive checks are on.
   */
  passive(t: TargetHealth, outcome: Outcome): void {
    if (outcome === Outcome.TCP_FAILURE || outcome === Outcome.TIMEOUT) this.breaker.outcome(true);
    this.#judge(t, outcome);
  }

  #judge(t: TargetHealth, outcome: Outcome): void {
    const p = this.config.passive;
    if (p === null || outcome === Outcome.NEUTRAL) return;
    const th = p.thresholds;
    switch (outcome) {
      case Outcome.SUCCESS:
        if (t.pTcpFailures !== 0 || t.pTimeouts !== 0 || t.pHttpFailures !== 0) t.resetPassiveCounters();
        return;
      case Outcome.TCP_FAILURE:
        if (th.tcpFailures > 0 && ++t.pTcpFailures >= th.tcpFailures) this.#eject(t, 'tcp_failures', t.pTcpFailures);
        return;
      case Outcome.TIMEOUT:
        if (th.timeouts > 0 && ++t.pTimeouts >= th.timeouts) this.#eject(t, 'timeouts', t.pTimeouts);
        return;
      case Outcome.HTTP_FAILURE:
        if (th.httpFailures > 0 && ++t.pHttpFailures >= th.httpFailures) this.#eject(t, 'http_failures', t.pHttpFailures);
        return;
    }
  }

  /** A proxied response's status, judged by passive.healthy/unhealthy.http_statuses. */
  response(t: TargetHealth, status: number): void {
    // The breaker counts any 5xx as a failure, whatever the passive statuses say.
    this.breaker.outcome(status >= 500);
    const p = this.config.passive;
    if (p !== null) this.#judge(t, (p.statuses[status] ?? Outcome.NEUTRAL) as Outcome);
  }

  /**
   * The state of an address, created on first sight (an address a DNS
   * lookup added after the last sync). A Map hit on the request path.
   */
  target(address: string, host: string, port: number, targetId: string, weight: number): TargetHealth {
    let t = this.targets.get(address);
    if (t === undefined) {
      t = new TargetHealth(this.name, address, host, port);
      t.targetId = targetId;
      t.weight = weight;
      this.targets.set(address, t);
    }
    return t;
  }

  #eject(t: TargetHealth, counter: string, count: number): void {
    t.resetPassiveCounters();
    if (t.ejected || this.#closed) return;
    if (!this.#mayEject(t)) return;
    const o = this.config.outlier;
    const now = this.now();
    // Envoy: the multiplier grows by one per ejection and decays by one per
    // base_ejection_time the target stayed in the pool since the last one.
    if (t.ejections > 0 && t.readmittedAt > 0) t.ejections = Math.max(0, t.ejections - Math.floor((now - t.readmittedAt) / o.baseEjectionMs));
    t.ejections++;
    const ms = Math.min(o.baseEjectionMs * t.ejections, o.maxEjectionMs);
    t.ejected = true;
    this.ejectedCount++;
    t.clearTimer();
    t.ejectionTimer = setTimeout(readmitLater, ms, this, t);
    t.ejectionTimer.unref();
    this.#updateAvailable(t, 'passive', { counter, count, ejection_ms: ms, ejections: t.ejections });
  }

  /**
   * Envoy's max_ejection_percent, but at least one target of a pool of two or
   * more may always be ejected, and never the last available one: ejecting
   * can move traffic, never stop it.
   */
  #mayEject(t: TargetHealth): boolean {
    let pool = 0;
    let available = 0;
    for (const x of this.targets.values()) {
      if (x.weight <= 0) continue;
      pool++;
      if (x.available && x !== t) available++;
    }
    if (pool < 2 || available === 0) return false;
    const cap = Math.max(1, Math.floor((pool * this.config.outlier.maxEjectionPercent) / 100));
    return this.ejectedCount < cap;
  }

  readmit(t: TargetHealth, reason: TransitionReason): void {
    if (t.ejected) this.#readmit(t, reason);
  }

  #readmit(t: TargetHealth, reason: TransitionReason): void {
    t.clearTimer();
    t.ejected = false;
    this.ejectedCount--;
    t.readmittedAt = this.now();
    t.resetPassiveCounters();
    this.#updateAvailable(t, reason, {});
  }

  // ── active ─────────────────────────────────────────────────────────────

  /** One probe's result (lua-resty-healthcheck's counting). */
  active(t: TargetHealth, outcome: Outcome, cfg: ActiveConfig, detail: Record<string, unknown> = {}): void {
    if (this.#closed || outcome === Outcome.NEUTRAL) return;
    const th = cfg.thresholds;
    if (outcome === Outcome.SUCCESS) {
      t.aTcpFailures = t.aTimeouts = t.aHttpFailures = 0;
      t.aSuccesses++;
      // Envoy: a successful active check also ends a passive ejection.
      if (t.ejected) this.#readmit(t, 'active success');
      if (!t.activeHealthy && th.successes > 0 && t.aSuccesses >= th.successes) this.#setActive(t, true, 'active', { successes: t.aSuccesses, ...detail });
      return;
    }
    t.aSuccesses = 0;
    let count: number;
    let thr: number;
    let counter: string;
    if (outcome === Outcome.TCP_FAILURE) {
      count = ++t.aTcpFailures;
      thr = th.tcpFailures;
      counter = 'tcp_failures';
    } else if (outcome === Outcome.TIMEOUT) {
      count = ++t.aTimeouts;
      thr = th.timeouts;
      counter = 'timeouts';
    } else {
      count = ++t.aHttpFailures;
      thr = th.httpFailures;
      counter = 'http_failures';
    }
    if (t.activeHealthy && thr > 0 && count >= thr) this.#setActive(t, false, 'active', { counter, count, ...detail });
  }

  #setActive(t: TargetHealth, healthy: boolean, reason: TransitionReason, detail: Record<string, unknown>): void {
    t.activeHealthy = healthy;
    t.aSuccesses = t.aTcpFailures = t.aTimeouts = t.aHttpFailures = 0;
    this.#updateAvailable(t, reason, detail);
  }

  #updateAvailable(t: TargetHealth, reason: TransitionReason, detail: Record<string, unknown>): void {
    const next = t.activeHealthy && !t.ejected;
    if (next === t.available) return;
    t.available = next;
    this.onTransition(t, next, reason, detail);
  }

  /** Makes sure every balanced address has a state (probe rounds call it: DNS may have added some). */
  refreshAddresses(): void {
    const list = this.addresses?.();
    if (list === undefined) return;
    for (const a of list) this.target(a.address, a.ip.includes(':') ? `[${a.ip}]` : a.ip, a.port, a.target.id, a.weight).weight = a.weight;
  }

  /** A target left the config: forget it (and its ejection). */
  remove(t: TargetHealth): void {
    if (t.ejected) {
      t.ejected = false;
      this.ejectedCount--;
    }
    t.clearTimer();
    this.targets.delete(t.address);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.targets.values()) t.clearTimer();
  }
}

function readmitLater(h: UpstreamHealth, t: TargetHealth): void {
  t.ejectionTimer = null;
  h.readmit(t, 'ejection ended');
}
