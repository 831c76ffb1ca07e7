// Kong's proxy-cache key (kong/plugins/proxy-cache/cache_key.lua):
// sha256 of prefix | method | path | query part | header part. The prefix is
// Portico's namespace (plugin id, config digest, route id and digest), so an
// entry can never be served after its plugin or route changed, plus the
// consumer when one is authenticated, as Kong's prefix has it.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** `k=v` pairs of the chosen query parameters (all of them, sorted, when none are configured). */
export function queryPart(params: URLSearchParams, vary: readonly string[] | null, lowerKeys: boolean): string {
  let names: string[];
  if (vary !== null && vary.length > 0) names = vary as string[];
  else {
    names = [];
    for (const raw of params.keys()) {
      const k = lowerKeys ? raw.toLowerCase() : raw;
      if (!names.includes(k)) names.push(k);
    }
    names.sort();
  }
  const out: string[] = [];
  for (const name of names) {
    const all = lowerKeys ? allLower(params, name) : params.getAll(name);
    if (all.length === 0) continue;
    // Kong: a bare `?flag` is `true`, written as just the name.
    out.push(all.length === 1 && all[0] === '' ? name : `${name}=${all.sort().join(',')}`);
  }
  return out.join(':');
}

function allLower(params: URLSearchParams, name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const [k, v] of params) if (k.toLowerCase() === want) out.push(v);
  return out;
}

/** `Name=value` pairs of the configured vary headers ('' when none are configured). */
export function headerPart(headers: IncomingHttpHeaders, vary: readonly { readonly name: string; readonly lower: string }[]): string {
  if (vary.length === 0) return '';
  const out: string[] = [];
  for (const { name, lower } of vary) {
    const v = headers[lower];
    if (v === undefined) continue;
    out.push(`${name}=${Array.isArray(v) ? [...v].sort().join(',') : v}`);
  }
  return out.join(':');
}

export function cacheKey(prefix: string, consumerId: string | null, method: string, path: string, query: string, headers: string): string {
  return createHash('sha256')
    .update(consumerId === null ? prefix : `${prefix}:${consumerId}`)
    .update('|')
    .update(method)
    .update('|')
    .update(path)
    .update('|')
    .update(query)
    .update('|')
    .update(headers)
    .digest('hex');
}
