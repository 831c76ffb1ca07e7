// The proxy's error catalog: every answer the gateway itself writes (as
// opposed to relaying the upstream's) comes from one of these entries, and
// respond-error.ts is the only place that turns one into a response. Messages
// are Kong's where Kong has one, so clients written against Kong keep working.
import { defineError } from '@portico/shared';

export const ProxyErrors = {
  /** Kong: router found nothing (runloop/handler.lua). */
  NO_ROUTE: defineError('PORTICO_ERR_PROXY_NO_ROUTE', 404, 'no Route matched with those values'),
  /** Kong: a route matched but has no service attached. */
  NO_SERVICE: defineError('PORTICO_ERR_PROXY_NO_SERVICE', 503, 'no Service found with those values'),
  /** Portico: the node has not applied any configuration yet. */
  NO_CONFIG: defineError('PORTICO_ERR_PROXY_NO_CONFIG', 503, 'no configuration loaded yet'),
  /** Kong (nginx 502): refused, reset, or a malformed upstream response. */
  BAD_GATEWAY: defineError('PORTICO_ERR_PROXY_BAD_GATEWAY', 502, 'An invalid response was received from the upstream server'),
  /** Kong (nginx 504): connect, write or read timeout. */
  UPSTREAM_TIMEOUT: defineError('PORTICO_ERR_PROXY_UPSTREAM_TIMEOUT', 504, 'The upstream server is timing out'),
  /** Kong: the service's upstream has no target that can take the request (none, all weight 0, all unhealthy). */
  NO_PEER: defineError('PORTICO_ERR_PROXY_NO_PEER', 503, 'failure to get a peer from the ring-balancer'),
  /** Portico (Envoy's circuit breaking): the upstream has max_requests in flight on this data plane. */
  BREAKER_REQUESTS: defineError('PORTICO_ERR_PROXY_BREAKER_REQUESTS', 503, 'upstream circuit breaker open: too many requests in flight'),
  /** Portico (Envoy's circuit breaking): max_pending_requests already wait for an upstream connection. */
  BREAKER_PENDING: defineError('PORTICO_ERR_PROXY_BREAKER_PENDING', 503, 'upstream circuit breaker open: too many pending requests'),
  /** Failure-tripped: consecutive failed attempts opened the breaker; it fails fast until its half-open probe succeeds. */
  BREAKER_OPEN: defineError('PORTICO_ERR_PROXY_BREAKER_OPEN', 503, 'upstream circuit breaker open: the upstream is failing'),
  /** Kong: an https-only route reached over http with https_redirect_status_code 426. */
  HTTPS_REQUIRED: defineError('PORTICO_ERR_PROXY_HTTPS_REQUIRED', 426, 'Please use HTTPS protocol'),
  /** Kong (nginx 400): the request could not be parsed. */
  BAD_REQUEST: defineError('PORTICO_ERR_PROXY_BAD_REQUEST', 400, 'Bad request'),
  /** Kong (nginx 494, answered as 400). */
  HEADER_TOO_LARGE: defineError('PORTICO_ERR_PROXY_HEADER_TOO_LARGE', 400, 'Request header or cookie too large'),
  /** Kong: anything the gateway did not expect. Never carries the cause. */
  INTERNAL: defineError('PORTICO_ERR_PROXY_INTERNAL', 500, 'An unexpected error occurred'),
} as const;

export type ProxyErrorName = keyof typeof ProxyErrors;
