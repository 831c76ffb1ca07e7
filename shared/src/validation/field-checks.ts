// Kong's typedef validators (kong/db/schema/typedefs.lua) for the field shapes
// services and routes use: names, tags, hosts, SNIs, paths, header names.
// Each returns Kong's message or undefined; they run once per admin write.
import { Msg } from './messages.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

export interface HostParts {
  type: 'ipv4' | 'ipv6' | 'name';
  port: boolean;
}

/** Like Kong's utils.normalize_ip: a name, an IPv4 or a [IPv6], each with an optional port. */
export function parseHost(value: string): HostParts | undefined {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0 || !IPV6_CHARS.test(value.slice(1, end))) return undefined;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d+$/.test(rest)) return undefined;
    return { type: 'ipv6', port: rest !== '' };
  }
  // More than one colon and no brackets: a bare IPv6 address, which cannot carry a port.
  if (value.split(':').length > 2) return IPV6_CHARS.test(value) ? { type: 'ipv6', port: false } : undefined;
  const [name = '', port] = value.split(':');
  if (port !== undefined && !/^\d+$/.test(port)) return undefined;
  if (IPV4.test(name)) return { type: 'ipv4', port: port !== undefined };
  if (!HOSTNAME.test(name)) return undefined;
  return { type: 'name', port: port !== undefined };
}

export function checkHost(value: string): string | undefined {
  const h = parseHost(value);
  if (!h) return Msg.hostInvalid(value);
  if (h.port) return Msg.hostPort;
  return undefined;
}

/** A route host: a host with at most one `*`, as the leftmost or rightmost label. */
export function checkWildcardHost(value: string): string | undefined {
  const stars = value.split('*').length - 1;
  if (stars > 1) return Msg.wildcardCount;
  if (stars === 1) {
    if (!value.startsWith('*.') && !value.endsWith('.*')) return Msg.wildcardPlace;
    return checkHost(value.replace('*', 'wildcard'));
  }
  return checkHost(value);
}

export function checkSni(value: string): string | undefined {
  const h = parseHost(value.replace(/^\*\./, 'wildcard.'));
  if (!h) return Msg.hostInvalid(value);
  if (h.type !== 'name') return Msg.sniIp;
  if (h.port) return Msg.hostPort;
  return undefined;
}

/** Kong's utf8_name: any non-ASCII, and only alphanumerics and `.-_~` among ASCII. */
export function checkName(value: string): string | undefined {
  return /^(?:[A-Za-z0-9._~-]|[^\x00-\x7F])+$/.test(value) ? undefined : Msg.utf8Name(value);
}

export function checkTag(value: string): string | undefined {
  return /^(?:[\x20-\x2B\x2D\x2E\x30-\x7E]|[^\x00-\x7F])+$/.test(value) ? undefined : Msg.tag(value);
}

/** RFC 3986 path characters (unreserved, sub-delims, `:`, `@`, `/`) and well-formed percent-escapes. */
function checkPathChars(path: string): string | undefined {
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$/.test(path)) return Msg.rfc3986(path);
  const bad = /%(?![0-9A-Fa-f]{2}).{0,2}/.exec(path);
  if (bad) return Msg.urlEncoding(bad[0]);
  return undefined;
}

/** typedefs.path (a service's path). */
export function checkPath(value: string): string | undefined {
  if (!value.startsWith('/')) return Msg.startsWith('/');
  if (value.includes('//')) return Msg.emptySegments;
  return checkPathChars(value);
}

/**
 * typedefs.router_path: `/plain` or `~/regex`. Regex paths are compiled here
 * as the data plane will compile them (JS RegExp), so a path the data plane
 * would NACK never reaches the store.
 */
export function checkRouterPath(value: string): string | undefined {
  if (!value.startsWith('/') && !value.startsWith('~/')) return Msg.routerPathStart;
  if (value.includes('//')) return Msg.emptySegments;
  if (value.startsWith('~')) {
    const re = value.slice(1);
    try {
      new RegExp(re);
    } catch (err) {
      return Msg.regex(re, (err as Error).message.replace(/^Invalid regular expression: /, ''));
    }
    return undefined;
  }
  return checkPathChars(value);
}

/** RFC 7230 token characters, as Kong's utils.validate_header_name. */
export function checkHeaderName(value: string): string | undefined {
  return /^[A-Za-z0-9_-]+$/.test(value) ? undefined : Msg.headerName(value);
}

/** A route's `headers` key: a valid header name that is not `host`. */
export function checkRouteHeaderName(value: string): string | undefined {
  if (/^host$/i.test(value)) return Msg.hostHeader;
  return checkHeaderName(value);
}
