// How the proxy classifies a failed upstream attempt: which failures may be
// retried, which methods may be sent twice, which status Kong answers with,
// and what the failure tells passive health checks.
import type { ErrorEntry } from '@portico/shared';
import { Outcome } from '../health/config.js';
import { ProxyErrors } from './errors.js';

/**
 * Failures of the connection itself: nothing reached the upstream's
 * application, or it went away before answering. Only these are retried.
 */
export const RETRYABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
]);

/** RFC 9110 §9.2.2: sending one of these twice has the effect of sending it once. */
export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'PORTICO_UPSTREAM_WRITE_TIMEOUT', 'ETIMEDOUT']);

export const errorCode = (err: Error): string => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
};

/** Kong's status for an upstream failure: 504 for timeouts, 502 for the rest. */
export function upstreamErrorEntry(err: Error): ErrorEntry {
  const code = errorCode(err);
  if (TIMEOUTS.has(code)) return ProxyErrors.UPSTREAM_TIMEOUT;
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') return ProxyErrors.BAD_REQUEST;
  return ProxyErrors.BAD_GATEWAY;
}

/** What a failed attempt says about the target, for passive checks. */
export function failureOutcome(err: Error): Outcome {
  const code = errorCode(err);
  if (TIMEOUTS.has(code)) return Outcome.TIMEOUT;
  return RETRYABLE.has(code) ? Outcome.TCP_FAILURE : Outcome.NEUTRAL;
}

/** A 502/503/504 answer the proxy retried instead of relaying (for onUpstreamError). */
export class UpstreamStatusError extends Error {
  readonly code = 'PORTICO_UPSTREAM_STATUS';
  constructor(readonly status: number) {
    super(`upstream answered ${status}`);
  }
}
