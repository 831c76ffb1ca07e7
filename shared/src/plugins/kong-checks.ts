// Kong's typedef checks and entity-check messages that plugin schemas share
// (kong/db/schema/typedefs.lua, kong/db/schema/init.lua), as plain functions
// over a config with defaults filled. Messages are Kong's, word for word.
import type { PluginCheckErrors } from './definition.js';

const HEADER_NAME = /^[A-Za-z0-9_-]+$/;

/** typedefs.header_name: null when valid, else Kong's message. */
export function headerNameError(v: string): string | null {
  return HEADER_NAME.test(v) ? null : `bad header name '${v}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`;
}

export const REQUIRED = 'required field missing';
export const gtMessage = (n: number): string => `value must be greater than ${n}`;
export const conditionalMessage = (field: string): string => `failed conditional validation given value of field '${field}'`;
export const atLeastOneOfMessage = (fields: readonly string[]): string =>
  `at least one of these fields must be non-empty: ${fields.map((f) => `'${f}'`).join(', ')}`;

/** Accumulates errors into Kong's shape; `result()` is null when nothing was added. */
export class CheckErrors {
  #errors: PluginCheckErrors | null = null;

  field(path: readonly string[], message: unknown): void {
    let node = (this.#errors ??= {}) as Record<string, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      const next = node[key];
      node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = message;
  }

  entity(message: string): void {
    const e = (this.#errors ??= {});
    (e['@entity'] ??= []).push(message);
  }

  config(message: string): void {
    (this.#errors ??= {})['@config'] = message;
  }

  result(): PluginCheckErrors | null {
    return this.#errors;
  }
}
