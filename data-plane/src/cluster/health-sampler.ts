// Decides, once per tick, what the node tells the control plane about health:
// the whole view when it changed since the last one sent on this stream, a
// bare heartbeat when it did not and the heartbeat period has passed, else
// nothing. The reporter builds its view from counters it already keeps, so a
// tick costs one call and one JSON.stringify of a few targets.
import type { Telemetry, WireUpstreamHealth } from '@portico/proto';
import type { UpstreamHealthReport } from '../health/types.js';
import type { Logger } from './logger.js';

export class HealthSampler {
  /** JSON of the view last sent on the current stream; null: send the whole view next. */
  private sent: string | null = null;
  private sentAt = 0;
  private failing = false;

  constructor(
    private readonly report: () => UpstreamHealthReport[],
    private readonly heartbeatMs: number,
    private readonly log: Logger,
  ) {}

  /** A new stream: the control plane knows nothing yet, so the next tick sends the whole view. */
  reset(): void {
    this.sent = null;
  }

  /** The message for this tick, or null when there is nothing worth sending. */
  next(now: number): Telemetry | null {
    let upstreams: UpstreamHealthReport[];
    try {
      upstreams = this.report();
      this.failing = false;
    } catch (err) {
      // A broken reporter must never touch config handling; say so once, not every second.
      if (!this.failing) this.log.warn({ err }, 'health report failed; not reporting health');
      this.failing = true;
      return null;
    }
    const text = JSON.stringify(upstreams);
    if (text !== this.sent) {
      this.sent = text;
      this.sentAt = now;
      return { at_ms: now, health: { upstreams: upstreams.map(toWire) } };
    }
    if (now - this.sentAt < this.heartbeatMs) return null;
    this.sentAt = now;
    return { at_ms: now, health: null };
  }
}

/** The report's field names and Kong's words are the wire's; only the shape is copied. */
const toWire = (u: UpstreamHealthReport): WireUpstreamHealth => ({
  upstream_id: u.upstream_id,
  upstream_name: u.upstream_name,
  targets: u.targets.map((t) => ({
    target_id: t.target_id,
    target: t.target,
    weight: t.weight,
    health: t.health,
    addresses: t.addresses.map((a) => ({ ip: a.ip, port: a.port, health: a.health, weight: a.weight })),
  })),
});
