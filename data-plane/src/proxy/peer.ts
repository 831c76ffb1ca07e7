// Where a request goes: the service itself, or, for a service whose host
// names an upstream, the peer of the target its balancer picks.
import type { IncomingMessage } from 'node:http';
import type { CompiledService, Peer } from '../compile/types.js';

/** The peer for this request; null when the upstream has no target that can take it (Kong: 503). */
export function pickPeer(service: CompiledService, req: IncomingMessage, consumerId: string | null): Peer | null {
  const upstream = service.upstream;
  if (upstream === null) return service;
  const target = upstream.balancer.pick({ req, clientIp: req.socket.remoteAddress ?? '', consumerId });
  return target === null ? null : (service.peers![target.index] ?? null);
}
