// What a plugin declares about its `config`, shared by the control plane
// (validates admin writes) and the data plane (compiles snapshots). The
// handler lives in data-plane/src/plugins/<name>/; this is only its schema.
import type { TObject } from '@sinclair/typebox';

/**
 * Errors from a plugin's cross-field checks, keyed like the config (nested
 * records nest: `{ redis: { host: 'required field missing' } }`), plus two
 * reserved keys the admin API lifts out of `config`:
 *  - `@entity`: string[] — Kong's entity_checks messages, which Kong reports
 *    at `fields["@entity"]` (at_least_one_of, conditional, …);
 *  - `@config`: string — a record-level custom_validator message, which Kong
 *    reports as `fields.config` itself (rate-limiting's period order).
 */
export type PluginCheckErrors = Record<string, unknown> & { '@entity'?: string[]; '@config'?: string };

export interface PluginSchemaDefinition {
  readonly name: string;
  /** Kong's handler PRIORITY: higher runs first in every phase. */
  readonly priority: number;
  /** The `config` record, with Kong's field names, types, ranges and defaults. */
  readonly config: TObject;
  /**
   * Cross-field checks on a config with defaults filled (Kong's entity_checks
   * and custom validators, with Kong's messages): null when valid. Both planes
   * run it, so a config the admin API accepted compiles on every data plane.
   */
  readonly check?: (config: Record<string, unknown>) => PluginCheckErrors | null;
  /** Scopes Kong's schema forbids (`consumer = typedefs.no_consumer`, …). */
  readonly noConsumer?: boolean;
  readonly noRoute?: boolean;
  readonly noService?: boolean;
  /** Protocols the plugin supports; Kong's http subsystem set when absent. */
  readonly protocols?: readonly string[];
}
