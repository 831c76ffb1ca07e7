// Kong's cacheability rules (kong/plugins/proxy-cache/handler.lua, 3.x):
// Cache-Control directives, content-type matching with wildcards and exact
// parameters, and a response's own TTL. Configured types are parsed once.

export type Directives = Readonly<Record<string, string | true>>;
const NONE: Directives = Object.freeze({});

/** `a, b=1, c="x"` → { a: true, b: '1', c: 'x' } (names lower-case). */
export function parseDirectives(value: string | string[] | undefined): Directives {
  if (value === undefined || value === '') return NONE;
  const text = Array.isArray(value) ? value.join(', ') : value;
  const out: Record<string, string | true> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    out[name] = eq === -1 ? true : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** A directive's numeric value, or undefined. */
export function directiveSeconds(d: Directives, name: string): number | undefined {
  const v = d[name];
  if (v === undefined || v === true) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Kong's resource_ttl: s-maxage, else max-age, else Expires − now; never negative. */
export function resourceTtl(cc: Directives, expires: string | undefined, now: number): number {
  const maxAge = directiveSeconds(cc, 's-maxage') ?? directiveSeconds(cc, 'max-age');
  if (maxAge !== undefined) return Math.max(0, maxAge);
  if (expires !== undefined) {
    const t = Date.parse(expires);
    if (Number.isFinite(t)) return Math.max(0, Math.floor((t - now) / 1000));
  }
  return 0;
}

export interface MediaType {
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyMap<string, string>;
}

export function parseMediaType(value: string): MediaType | null {
  const parts = value.split(';');
  const [type, subtype] = parts[0]!.trim().toLowerCase().split('/');
  if (type === undefined || type === '' || subtype === undefined || subtype === '') return null;
  const params = new Map<string, string>();
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    const eq = p.indexOf('=');
    if (eq === -1) continue;
    params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { type, subtype, params };
}

/**
 * Kong 3.x: type and subtype equal (or `*` in the configured one), and the
 * same parameters with the same values — `application/json; charset=utf-8`
 * does not match a configured `application/json`.
 */
export function contentTypeMatches(accepted: readonly MediaType[], value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  const got = parseMediaType(value);
  if (got === null) return false;
  for (const want of accepted) {
    if ((want.type !== '*' && want.type !== got.type) || (want.subtype !== '*' && want.subtype !== got.subtype)) continue;
    if (want.params.size !== got.params.size) continue;
    let same = true;
    for (const [k, v] of want.params) if (got.params.get(k) !== v) same = false;
    if (same) return true;
  }
  return false;
}
