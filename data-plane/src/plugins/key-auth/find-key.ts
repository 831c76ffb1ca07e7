// Where key-auth finds the presented key (Kong 3.x key-auth do_authentication):
// for each key name in order, a header, then the query string, then (only
// with key_in_body) a form or JSON body. The same name twice is refused.
import type { IncomingHttpHeaders } from 'node:http';

/** The same key name was sent more than once (Kong: 401 "Duplicate API key found"). */
export const DUPLICATE: unique symbol = Symbol('duplicate key');

/**
 * A header's single value, DUPLICATE when the client sent it twice (Node
 * joins repeats of unknown headers with ", "; the raw list tells), or undefined.
 */
export function headerValue(headers: IncomingHttpHeaders, raw: readonly string[], lowerName: string): string | typeof DUPLICATE | undefined {
  const v = headers[lowerName];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length === 1 ? v[0] : DUPLICATE;
  if (v.includes(',')) {
    let seen = 0;
    for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === lowerName) seen++;
    if (seen > 1) return DUPLICATE;
  }
  return v;
}

/** A parsed request body, for key_in_body: form or JSON object; null for anything else. */
export type ParsedBody = { readonly kind: 'form'; readonly params: URLSearchParams } | { readonly kind: 'json'; readonly value: Record<string, unknown> };

export function parseBody(contentType: string | undefined, body: Buffer): ParsedBody | null {
  if (contentType === undefined || body.length === 0) return null;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return { kind: 'form', params: new URLSearchParams(body.toString('latin1')) };
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? { kind: 'json', value: value as Record<string, unknown> } : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** The value of `name` in a parsed body: a string, DUPLICATE, or undefined (absent or not a string). */
export function bodyValue(body: ParsedBody, name: string): string | typeof DUPLICATE | undefined {
  if (body.kind === 'form') {
    const all = body.params.getAll(name);
    return all.length === 0 ? undefined : all.length > 1 ? DUPLICATE : all[0];
  }
  const v = body.value[name];
  if (typeof v === 'string') return v;
  return Array.isArray(v) ? DUPLICATE : undefined;
}

/** The body without `name`, re-encoded as it came (hide_credentials). */
export function bodyWithout(body: ParsedBody, name: string): Buffer {
  if (body.kind === 'form') {
    const copy = new URLSearchParams(body.params);
    copy.delete(name);
    return Buffer.from(copy.toString(), 'latin1');
  }
  const copy = { ...body.value };
  delete copy[name];
  return Buffer.from(JSON.stringify(copy), 'utf8');
}

/** The query (with `?`, or '') without any `name` parameter (hide_credentials). */
export function queryWithout(params: URLSearchParams, name: string): string {
  const copy = new URLSearchParams(params);
  copy.delete(name);
  const s = copy.toString();
  return s === '' ? '' : `?${s}`;
}
