// Header rewriting in both directions, one pass over the raw header list each.
//
// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection and never
// cross the proxy: Connection and every header it names, Keep-Alive,
// Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade. Node and undici frame
// bodies themselves (chunked or Content-Length) on each side.
//
// Upstream request headers follow Kong's runloop (kong/runloop/handler.lua):
// X-Forwarded-For appends the client address, X-Forwarded-{Proto,Host,Port,
// Path,Prefix} are replaced with what this gateway saw (the client is not a
// trusted proxy: Kong's default with `trusted_ips` unset), X-Real-IP is the
// client address, Via gets this hop appended, Host is the service's unless
// the route preserves the client's.
import type { IncomingHttpHeaders } from 'node:http';

/** Dropped from requests: hop-by-hop, what we set ourselves, and Expect (Node already answered 100-continue; undici refuses it). */
const REQUEST_SKIP = new Set([
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect',
  'host', 'via', 'x-real-ip',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-path', 'x-forwarded-prefix',
]);

const RESPONSE_SKIP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via']);

// Buffer's own latin1 decoder, without toString's argument checks and
// encoding switch (undici decodes its header buffers the same way).
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
const latin1 = (b: Buffer): string => (b as Latin1Buffer).latin1Slice(0, b.length);

const isProxyHeader = (lower: string): boolean => lower.length > 6 && lower.startsWith('proxy-');

/** The tokens of a Connection header that name other headers (null when there are none, the common case). */
function connectionTokens(value: string | undefined): Set<string> | null {
  if (value === undefined) return null;
  const v = value.toLowerCase();
  if (v === 'keep-alive' || v === 'close' || v === 'upgrade') return null;
  let set: Set<string> | null = null;
  for (const part of v.split(',')) {
    const token = part.trim();
    if (token === '' || token === 'keep-alive' || token === 'close') continue;
    (set ??= new Set()).add(token);
  }
  return set;
}

/** What the gateway saw of a request, the values of the X-Forwarded-* family. */
export interface ForwardedFacts {
  readonly clientIp: string;
  readonly proto: string;
  readonly host: string;
  readonly port: string;
  readonly path: string;
  /** What strip_path removed; null (or `/`) sends no X-Forwarded-Prefix, as Kong. */
  readonly prefix: string | null;
  /** Host header to send upstream. */
  readonly hostHeader: string;
  /** This hop's Via token, e.g. `1.1 portico/0.1.0`. */
  readonly via: string;
}

/**
 * The upstream request's headers as a flat [name, value, …] list (undici's
 * cheapest form), from the client's raw headers (original case, duplicates
 * kept) and the parsed ones (for the few values that are joined anyway).
 */
export function upstreamRequestHeaders(raw: readonly string[], parsed: IncomingHttpHeaders, f: ForwardedFacts): string[] {
  const out: string[] = [];
  const named = connectionTokens(parsed.connection);
  let sawContentLength = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (REQUEST_SKIP.has(lower) || isProxyHeader(lower) || (named !== null && named.has(lower))) continue;
    if (lower === 'content-length') {
      // Node accepts repeated identical Content-Length values; undici rejects duplicates.
      if (sawContentLength) continue;
      sawContentLength = true;
    }
    out.push(name, raw[i + 1] as string);
  }
  const xff = parsed['x-forwarded-for'];
  const via = parsed.via;
  out.push(
    'host', f.hostHeader,
    'x-forwarded-for', xff === undefined || xff === '' ? f.clientIp : `${xff}, ${f.clientIp}`,
    'x-forwarded-proto', f.proto,
    'x-forwarded-host', f.host,
    'x-forwarded-port', f.port,
    'x-forwarded-path', f.path,
    'x-real-ip', f.clientIp,
    'via', via === undefined || via === '' ? f.via : `${via}, ${f.via}`,
  );
  if (f.prefix !== null && f.prefix !== '/') out.push('x-forwarded-prefix', f.prefix);
  return out;
}

/** Gateway-added response headers, appended after the upstream's. */
export interface ResponseExtras {
  readonly via: string;
  readonly server: string;
  readonly upstreamLatency: number;
  readonly proxyLatency: number;
}

/**
 * The client response's headers as a flat list for `writeHead`, from undici's
 * raw header buffers. Adds Via (appended to the upstream's, as Kong), the
 * latency headers, and Server when the upstream sent none.
 */
export function clientResponseHeaders(raw: readonly Buffer[], x: ResponseExtras): string[] {
  const out: string[] = [];
  let named: Set<string> | null = null;
  let upstreamVia: string | null = null;
  let hasServer = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = latin1(raw[i] as Buffer);
    const value = latin1(raw[i + 1] as Buffer);
    const lower = name.toLowerCase();
    if (RESPONSE_SKIP.has(lower) || isProxyHeader(lower)) {
      if (lower === 'connection') named = connectionTokens(value);
      else if (lower === 'via') upstreamVia = upstreamVia === null ? value : `${upstreamVia}, ${value}`;
      continue;
    }
    if (lower === 'server') hasServer = true;
    out.push(name, value);
  }
  const filtered = named === null ? out : dropNamed(out, named);
  filtered.push(
    'via', upstreamVia === null ? x.via : `${upstreamVia}, ${x.via}`,
    'x-portico-upstream-latency', String(x.upstreamLatency),
    'x-portico-proxy-latency', String(x.proxyLatency),
  );
  if (!hasServer) filtered.push('server', x.server);
  return filtered;
}

/** Removes the headers a response's Connection header named (rare: a second pass only then). */
function dropNamed(list: string[], named: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    if (!named.has(name.toLowerCase())) out.push(name, list[i + 1] as string);
  }
  return out;
}
