// Every plugin this build knows, by Kong name. An unknown name in an admin
// write is a schema violation (Kong: "plugin 'x' not enabled; add it to the
// 'plugins' configuration property").
import type { PluginSchemaDefinition } from './definition.js';

export type { PluginSchemaDefinition } from './definition.js';

export const PLUGIN_SCHEMAS: ReadonlyMap<string, PluginSchemaDefinition> = new Map<string, PluginSchemaDefinition>([]);
