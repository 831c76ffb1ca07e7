// The health settings of every upstream of a snapshot, by upstream id. Runs
// after compile accepted the snapshot (so bodies are valid) and before the
// swap; an unchanged body keeps its prepared config object, so the cost
// follows what changed and the registry can compare configs by identity.
import type { Resource, Upstream } from '@portico/shared';
import { healthConfig, type UpstreamHealthConfig } from './config.js';

export class HealthConfigs {
  #byBody = new Map<string, UpstreamHealthConfig>();

  /** Upstream id → health config for `resources` (a full snapshot's). */
  read(resources: Iterable<Resource>): Map<string, UpstreamHealthConfig> {
    const out = new Map<string, UpstreamHealthConfig>();
    const next = new Map<string, UpstreamHealthConfig>();
    for (const r of resources) {
      if (r.type !== 'upstreams') continue;
      let cfg = this.#byBody.get(r.body);
      if (cfg === undefined) cfg = healthConfig(JSON.parse(r.body) as Upstream);
      next.set(r.body, cfg);
      out.set(r.id, cfg);
    }
    this.#byBody = next;
    return out;
  }
}
