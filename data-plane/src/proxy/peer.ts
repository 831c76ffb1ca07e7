// Where a request goes: the service itself, or, for a service whose host
// names an upstream, the peer of the address its balancer picks. A peer is
// built once per (service, address) and cached, so a pick allocates nothing:
// it dials the address (`scheme://ip:port`, or the target's own `host:port`
// for an IP target and for a name whose DNS has not answered yet) and sends
// the service's Host header for the target (the upstream's host_header, else
// the target's host — the name, not the IP — as compile-service prepared it).
import type { PickInput, TargetAddress } from '../balancer/types.js';
import type { CompiledService, Peer } from '../compile/types.js';

/** A peer of a balanced service: carries the address to hand back to `releasePeer`. */
export interface BalancedPeer extends Peer {
  readonly address: TargetAddress;
}

class AddressPeer implements BalancedPeer {
  constructor(
    readonly origin: string,
    readonly connectTimeout: number,
    readonly hostHeader: string,
    readonly address: TargetAddress,
  ) {
    Object.freeze(this);
  }
}

// address → (the target's compiled peer of one service → the address's peer).
// Weak on both: entries go with the config generation that made them.
const cache = new WeakMap<TargetAddress, WeakMap<Peer, AddressPeer>>();

/** The (cached) peer that takes `address` for `service`; null if the address is not of this service's upstream. */
export function peerFor(service: CompiledService, address: TargetAddress): BalancedPeer | null {
  const base = service.peers?.[address.target.index];
  if (base === undefined) return null;
  let byBase = cache.get(address);
  if (byBase === undefined) cache.set(address, (byBase = new WeakMap()));
  let peer = byBase.get(base);
  if (peer === undefined) {
    const scheme = base.origin.slice(0, base.origin.indexOf('://'));
    peer = new AddressPeer(`${scheme}://${address.address}`, base.connectTimeout, base.hostHeader, address);
    byBase.set(base, peer);
  }
  return peer;
}

/**
 * The peer for this request; null when the upstream has no address that can
 * take it (Kong: 503). Build `input` once per request with `setCookie: null`
 * and pass the same object on a retry: after the pick, a non-null
 * `input.setCookie` is a Set-Cookie value to add to the response.
 */
export function pickPeer(service: CompiledService, input: PickInput): Peer | null {
  const upstream = service.upstream;
  if (upstream === null) return service;
  const address = upstream.balancer.pick(input);
  if (address === null) return null;
  const peer = peerFor(service, address);
  if (peer === null) upstream.balancer.release?.(address, false, 0);
  return peer;
}

/**
 * The attempt on `peer` (from `pickPeer`) is over: call exactly once per
 * attempt — a retry releases the first peer before picking again. `failed`:
 * no usable response (connect error, reset, timeout); `latencyMs`: dispatch
 * to response head (or to the failure). A no-op for an unbalanced service.
 */
export function releasePeer(service: CompiledService, peer: Peer, failed: boolean, latencyMs: number): void {
  if (peer instanceof AddressPeer) service.upstream?.balancer.release?.(peer.address, failed, latencyMs);
}

/**
 * Every origin a service may dial now: its own, or its targets' and their
 * resolved addresses' (for UpstreamPools.retain after a swap, so pools of
 * addresses still in DNS keep their warm connections).
 */
export function peerOrigins(service: CompiledService): string[] {
  const upstream = service.upstream;
  if (upstream === null || service.peers === null) return [service.origin];
  const origins = new Set(service.peers.map((p) => p.origin));
  for (const a of upstream.addressTable.addresses()) {
    const p = peerFor(service, a);
    if (p !== null) origins.add(p.origin);
  }
  return [...origins];
}
