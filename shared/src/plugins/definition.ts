// What a plugin declares about its `config`, shared by the control plane
// (validates admin writes) and the data plane (compiles snapshots). The
// handler lives in data-plane/src/plugins/<name>/; this is only its schema.
import type { TObject } from '@sinclair/typebox';

export interface PluginSchemaDefinition {
  readonly name: string;
  /** Kong's handler PRIORITY: higher runs first in every phase. */
  readonly priority: number;
  /** The `config` record, with Kong's field names, types, ranges and defaults. */
  readonly config: TObject;
  /**
   * Cross-field checks on a config with defaults filled (Kong's entity_checks):
   * null when valid, else Kong-style field errors keyed like the config.
   */
  readonly check?: (config: Record<string, unknown>) => Record<string, unknown> | null;
  /** Scopes Kong's schema forbids (`consumer = typedefs.no_consumer`, …). */
  readonly noConsumer?: boolean;
  readonly noRoute?: boolean;
  readonly noService?: boolean;
  /** Protocols the plugin supports; Kong's http subsystem set when absent. */
  readonly protocols?: readonly string[];
}
