// Reconnect delays: exponential with full jitter (AWS's "Exponential Backoff
// and Jitter"), so a fleet that lost its control plane does not reconnect in
// lockstep when it comes back.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 5000 };

/** Delay before retry number `attempt` (0-based): uniform in [0, min(max, initial·2^attempt)]. */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
