// The text of a declarative document → a JSON value. JSON is tried first (it
// is also what YAML 1.2 would read it as, only faster), then YAML with the
// core schema, so `yes`/`no` stay strings as in YAML 1.2. Parse failures are
// Kong's "failed parsing declarative configuration" in the declarative error
// shape.
import { parse } from 'yaml';
import { invalidConfig } from './errors.js';

export function parseDocumentText(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // maybe YAML flow style; fall through
    }
  }
  let value: unknown;
  try {
    value = parse(text, { schema: 'core', maxAliasCount: 100, uniqueKeys: true });
  } catch (err) {
    throw invalidConfig({ error: `failed parsing declarative configuration: ${(err as Error).message.split('\n')[0]}` });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidConfig({ error: 'failed parsing declarative configuration: expected an object' });
  return value;
}
