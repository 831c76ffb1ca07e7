// The balancer of one upstream: turns its targets into addresses (an IP
// target is one address; a name target is one address per IP its DNS answers,
// each with the target's full weight, as Kong), keeps the per-address state
// (in-flight counts, latency EWMA) by address string, and runs the upstream's
// algorithm over them. When DNS changes the addresses, the algorithm is
// rebuilt here, off the request path, carrying its state over; a request
// never waits for DNS: a name not resolved yet is balanced as one address
// that dials the name itself (the connection pool's getaddrinfo resolves it),
// and a name that does not exist has no address until it does.
//
// Built by compile for each changed upstream, given the balancer it replaces:
// state of addresses that are still there carries over, so a config swap
// loses no in-flight count, EWMA, round-robin position or ring.
import { isIP } from 'node:net';
import type { CompiledTarget } from '../compile/types.js';
import { defaultDnsRegistry, type DnsEntry, type DnsRegistry, type DnsState, type DnsWatcher } from '../dns/dns-registry.js';
import { ALWAYS_AVAILABLE, type HealthView } from '../health/types.js';
import { newAddressState } from './address-state.js';
import type { AddressState, Balancer, BalancerContext, BalancerFactory, PickInput, TargetAddress } from './types.js';

export interface UpstreamBalancerOptions {
  /** The upstream's name (the key of its health). */
  readonly upstream: string;
  readonly factory: BalancerFactory;
  /** Every target, weight 0 included. */
  readonly targets: readonly CompiledTarget[];
  readonly health?: HealthView;
  readonly dns?: DnsRegistry;
  /** The balancer this one replaces (same upstream name), whose state carries over. */
  readonly previous?: Balancer;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** How one target resolves now (health reports: DNS_ERROR comes from here). */
export interface TargetResolution {
  readonly target: CompiledTarget;
  /** null for an IP target (nothing to resolve). */
  readonly dns: DnsState | null;
  /** Node's error code of the last failed query. */
  readonly error: string | null;
  readonly addresses: readonly TargetAddress[];
}

/** An upstream's addresses as they stand (reports, pool retention); implemented by UpstreamBalancer. */
export interface UpstreamAddressTable {
  /** The addresses being balanced now (weight 0 included). */
  addresses(): readonly TargetAddress[];
  /** Per target, in target order: its DNS state and addresses. */
  resolution(): TargetResolution[];
}

/** `[::1]` → `::1`; compiled targets keep IPv6 in brackets. */
const bare = (host: string): string => (host.startsWith('[') ? host.slice(1, -1) : host);
const hostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export class UpstreamBalancer implements Balancer, UpstreamAddressTable, DnsWatcher {
  readonly #opts: UpstreamBalancerOptions;
  readonly #ctx: BalancerContext;
  readonly #entries = new Map<string, DnsEntry>();
  #states: Map<string, AddressState>;
  #addresses: readonly TargetAddress[] = [];
  #algorithm: Balancer;

  constructor(opts: UpstreamBalancerOptions) {
    this.#opts = opts;
    const ctx: { -readonly [K in keyof BalancerContext]: BalancerContext[K] } = { upstream: opts.upstream, health: opts.health ?? ALWAYS_AVAILABLE };
    if (opts.random !== undefined) ctx.random = opts.random;
    if (opts.now !== undefined) ctx.now = opts.now;
    this.#ctx = ctx;
    const prev = opts.previous instanceof UpstreamBalancer ? opts.previous : null;
    this.#states = prev !== null ? prev.#states : new Map();
    const dns = opts.dns ?? defaultDnsRegistry;
    for (const t of opts.targets) {
      const host = bare(t.host);
      if (t.isName && isIP(host) === 0 && !this.#entries.has(host)) this.#entries.set(host, dns.watch(host, this));
    }
    this.#addresses = this.#buildAddresses(prev !== null ? prev.#addresses : []);
    this.#algorithm = prev !== null ? opts.factory(this.#addresses, this.#ctx, prev.#algorithm) : opts.factory(this.#addresses, this.#ctx);
  }

  pick(input: PickInput): TargetAddress | null {
    return this.#algorithm.pick(input);
  }

  release(address: TargetAddress, failed: boolean, latencyMs: number): void {
    this.#algorithm.release?.(address, failed, latencyMs);
  }

  /** The addresses being balanced now (weight 0 included). */
  addresses(): readonly TargetAddress[] {
    return this.#addresses;
  }

  /** Per target: its DNS state and addresses. */
  resolution(): TargetResolution[] {
    return this.#opts.targets.map((target) => {
      const entry = this.#entries.get(bare(target.host));
      return {
        target,
        dns: entry?.state ?? null,
        error: entry?.error ?? null,
        addresses: this.#addresses.filter((a) => a.target === target),
      };
    });
  }

  dnsChanged(_entry: DnsEntry): void {
    const old = this.#addresses;
    this.#addresses = this.#buildAddresses(old);
    this.#algorithm = this.#opts.factory(this.#addresses, this.#ctx, this.#algorithm);
  }

  /** Addresses for the current DNS answers; unchanged ones keep their object, every one its state. */
  #buildAddresses(previous: readonly TargetAddress[]): readonly TargetAddress[] {
    const reuse = new Map(previous.map((a) => [`${a.target.id}|${a.ip}`, a] as const));
    const states = new Map<string, AddressState>();
    const out: TargetAddress[] = [];
    const add = (target: CompiledTarget, ip: string, address: string): void => {
      const state = states.get(address) ?? this.#states.get(address) ?? newAddressState();
      states.set(address, state);
      const old = reuse.get(`${target.id}|${ip}`);
      out.push(old !== undefined && old.target === target ? old : Object.freeze({ target, ip, port: target.port, weight: target.weight, address, state }));
    };
    for (const t of this.#opts.targets) {
      const host = bare(t.host);
      const entry = this.#entries.get(host);
      if (entry === undefined) add(t, host, hostPort(host, t.port));
      else if (entry.state === 'pending') add(t, host, `${host}:${t.port}`);
      else for (const ip of entry.addresses) add(t, ip, hostPort(ip, t.port));
    }
    this.#states = states;
    return Object.freeze(out);
  }
}

export const createUpstreamBalancer = (opts: UpstreamBalancerOptions): UpstreamBalancer => new UpstreamBalancer(opts);
