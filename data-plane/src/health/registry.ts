// The data plane's health state: one UpstreamHealth per upstream name, one
// TargetHealth per address, kept across config swaps and pruned when an
// upstream or target leaves the config. It is the HealthView balancers read,
// the HealthReporter the cluster client reports, and what the proxy asks for
// an upstream's per-target states and circuit breaker.
import type { Logger } from '@portico/shared';
import type { PickInput, TargetAddress } from '../balancer/types.js';
import type { CompiledTarget, CompiledUpstream } from '../compile/types.js';
import { ActiveChecker, type ProbeFn } from './active-checker.js';
import { DEFAULT_HEALTH_CONFIG, type UpstreamHealthConfig } from './config.js';
import type { TargetHealth } from './target-health.js';
import type { HealthReporter, HealthState, HealthView, TargetHealthReport, UpstreamHealthReport } from './types.js';
import { UpstreamHealth, type TransitionReason } from './upstream-health.js';

/** What the request path needs for one compiled upstream, by target index. */
export interface UpstreamRuntime {
  readonly health: UpstreamHealth;
  /** Same index as CompiledUpstream.targets. */
  readonly targets: readonly TargetHealth[];
}

/** What the proxy reads (ForwardContext.health): a registry, or anything shaped like one. */
export interface HealthRuntimeSource {
  runtime(upstream: CompiledUpstream): UpstreamRuntime;
  /**
   * `upstream.balancer.pick(input)` with the `exclude` addresses reported
   * unavailable for the length of the call: a retry goes to another address
   * whatever the algorithm (a ring walks on to the next slot, as Kong's).
   */
  pickExcluding(upstream: CompiledUpstream, input: PickInput, exclude: readonly string[]): TargetAddress | null;
}

export interface HealthRegistryOptions {
  readonly log?: Logger;
  /** Replaces the real probe (tests of the loop itself). */
  readonly probe?: ProbeFn;
}

/** `host:port` as dialled: the key of a target's health. */
export const targetAddress = (t: Pick<CompiledTarget, 'host' | 'port'>): string => `${t.host}:${t.port}`;

export class HealthRegistry implements HealthView, HealthReporter, HealthRuntimeSource {
  readonly #byName = new Map<string, UpstreamHealth>();
  readonly #checkers = new Map<string, ActiveChecker>();
  readonly #runtimes = new WeakMap<CompiledUpstream, UpstreamRuntime>();
  #serving: readonly CompiledUpstream[] = [];
  readonly #log: Logger | undefined;
  readonly #probe: ProbeFn | undefined;
  #closed = false;
  /** Set only inside pickExcluding (synchronous): addresses of #excludeIn to report unavailable. */
  #exclude: readonly string[] | null = null;
  #excludeIn = '';

  constructor(opts: HealthRegistryOptions = {}) {
    this.#log = opts.log;
    this.#probe = opts.probe;
  }

  // ── HealthView ─────────────────────────────────────────────────────────

  isAvailable(upstream: string, address: string): boolean {
    if (this.#exclude !== null && upstream === this.#excludeIn && this.#exclude.includes(address)) return false;
    return this.#byName.get(upstream)?.targets.get(address)?.available ?? true;
  }

  pickExcluding(u: CompiledUpstream, input: PickInput, exclude: readonly string[]): TargetAddress | null {
    this.#exclude = exclude;
    this.#excludeIn = u.name;
    try {
      return u.balancer.pick(input);
    } finally {
      this.#exclude = null;
    }
  }

  // ── the request path ───────────────────────────────────────────────────

  /** The runtime of a compiled upstream; built on first use (cheap after: one WeakMap lookup). */
  runtime(u: CompiledUpstream): UpstreamRuntime {
    let rt = this.#runtimes.get(u);
    if (rt === undefined) {
      rt = this.#build(u, this.#byName.get(u.name)?.config ?? DEFAULT_HEALTH_CONFIG);
    }
    return rt;
  }

  /** The UpstreamHealth of a name (tests, admin views). */
  upstream(name: string): UpstreamHealth | undefined {
    return this.#byName.get(name);
  }

  // ── config swaps ───────────────────────────────────────────────────────

  /**
   * Brings health state in line with a new config: `configs` maps upstream id
   * to its health settings (see healthConfigs()). Unchanged upstreams and
   * targets keep their state and probe loops; removed ones are forgotten and
   * their loops stopped. Call before the config is swapped in.
   */
  sync(upstreams: Iterable<CompiledUpstream>, configs: ReadonlyMap<string, UpstreamHealthConfig>): void {
    if (this.#closed) return;
    const serving: CompiledUpstream[] = [];
    const names = new Set<string>();
    for (const u of upstreams) {
      serving.push(u);
      names.add(u.name);
      const rt = this.#build(u, configs.get(u.id) ?? DEFAULT_HEALTH_CONFIG);
      // Addresses a DNS lookup added (track()) belong to a target id; they live as long as it does.
      const live = new Set<string>();
      const ids = new Set<string>();
      for (const t of u.targets) {
        live.add(targetAddress(t));
        ids.add(t.id);
      }
      for (const t of [...rt.health.targets.values()]) if (!live.has(t.address) && !ids.has(t.targetId)) rt.health.remove(t);
      this.#reconcileChecker(rt.health);
    }
    for (const [name, h] of this.#byName) {
      if (names.has(name)) continue;
      this.#checkers.get(name)?.stop();
      this.#checkers.delete(name);
      h.close();
      this.#byName.delete(name);
    }
    this.#serving = serving;
  }

  #build(u: CompiledUpstream, config: UpstreamHealthConfig): UpstreamRuntime {
    let h = this.#byName.get(u.name);
    if (h === undefined) {
      h = new UpstreamHealth(u.name, config, (t, available, reason, detail) => this.#logTransition(t, available, reason, detail));
      this.#byName.set(u.name, h);
    } else h.setConfig(config);
    const targets = u.targets.map((ct) => {
      const t = h.target(targetAddress(ct), ct.host, ct.port, ct.id, ct.weight);
      t.weight = ct.weight;
      return t;
    });
    const table = (u as Partial<Pick<CompiledUpstream, 'addressTable'>>).addressTable;
    if (table !== undefined) h.addresses = () => table.addresses();
    const rt: UpstreamRuntime = Object.freeze({ health: h, targets: Object.freeze(targets) });
    this.#runtimes.set(u, rt);
    return rt;
  }

  #reconcileChecker(h: UpstreamHealth): void {
    const cfg = h.config.active;
    const running = this.#checkers.get(h.name);
    if (running !== undefined && cfg !== null && running.config.key === cfg.key) return;
    running?.stop();
    this.#checkers.delete(h.name);
    if (cfg === null) return;
    const checker = new ActiveChecker(h, cfg, this.#probe);
    this.#checkers.set(h.name, checker);
    checker.start();
  }

  /**
   * The addresses a target's name resolved to (for the DNS resolver): active
   * checks probe each of them; addresses of that target no longer listed are
   * forgotten.
   */
  track(upstream: string, targetId: string, addresses: readonly TargetAddress[]): void {
    const h = this.#byName.get(upstream);
    if (h === undefined) return;
    const keep = new Set<string>();
    for (const a of addresses) {
      keep.add(a.address);
      h.target(a.address, a.ip.includes(':') ? `[${a.ip}]` : a.ip, a.port, targetId, a.weight).weight = a.weight;
    }
    for (const t of [...h.targets.values()]) if (t.targetId === targetId && !keep.has(t.address)) h.remove(t);
  }

  /** The probe loop of an upstream (tests). */
  checker(name: string): ActiveChecker | undefined {
    return this.#checkers.get(name);
  }

  #logTransition(t: TargetHealth, available: boolean, reason: TransitionReason, detail: Record<string, unknown>): void {
    const fields = { upstream: t.upstream, target: t.address, health: available ? 'HEALTHY' : 'UNHEALTHY', reason, ...detail };
    if (available) this.#log?.info(fields, 'upstream target health changed');
    else this.#log?.warn(fields, 'upstream target health changed');
  }

  // ── HealthReporter ─────────────────────────────────────────────────────

  /**
   * Per target: its addresses as the balancer has them now (a name's DNS
   * answers), each with its health; the target is HEALTHY when any address
   * is (Kong), DNS_ERROR when its name has no address and the last query failed.
   */
  report(): UpstreamHealthReport[] {
    return this.#serving.map((u) => {
      const h = this.runtime(u).health;
      const on = h.checksOn;
      const resolutions = (u as Partial<Pick<CompiledUpstream, 'addressTable'>>).addressTable?.resolution();
      return {
        upstream_id: u.id,
        upstream_name: u.name,
        targets: u.targets.map((ct, i): TargetHealthReport => {
          const r = resolutions?.[i];
          const list = r !== undefined ? r.addresses.map((a) => ({ key: a.address, ip: a.ip, port: a.port, weight: a.weight })) : [{ key: targetAddress(ct), ip: ct.host.startsWith('[') ? ct.host.slice(1, -1) : ct.host, port: ct.port, weight: ct.weight }];
          const addresses = list.map((a) => ({ ip: a.ip, port: a.port, weight: a.weight, health: (h.targets.get(a.key)?.state(on) ?? (on ? 'HEALTHY' : 'HEALTHCHECKS_OFF')) as HealthState }));
          let health: HealthState;
          if (addresses.length === 0) health = r?.dns === 'error' || r?.error != null ? 'DNS_ERROR' : on ? 'UNHEALTHY' : 'HEALTHCHECKS_OFF';
          else if (!on) health = 'HEALTHCHECKS_OFF';
          else health = addresses.some((a) => a.health === 'HEALTHY') ? 'HEALTHY' : 'UNHEALTHY';
          return { target_id: ct.id, target: ct.target ?? targetAddress(ct), weight: ct.weight, health, addresses };
        }),
      };
    });
  }

  /** Stops every probe loop and ejection timer (shutdown). */
  close(): void {
    this.#closed = true;
    for (const c of this.#checkers.values()) c.stop();
    this.#checkers.clear();
    for (const h of this.#byName.values()) h.close();
  }
}
