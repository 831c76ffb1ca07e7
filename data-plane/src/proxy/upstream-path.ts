// Joins the service path and the request path the way Kong's router does
// (kong/router/utils.lua get_upstream_uri for v0, traditional.lua for v1).
// The table in Kong's Admin API docs ("Path handling algorithms") is the
// reference; upstream-path.test.ts checks every row of it.
//
//   v0: service.path, route path and request path are segments, joined by
//       single slashes.
//   v1: service.path is a raw prefix; the request remainder is glued on
//       after dropping its leading slash (`/s` + `/tv1req` → `/sreq`).
//
// Only the path is handled here; the caller appends the query untouched.

const SLASH = 47; // '/'

/** Kong's sanitize_uri_postfix: a remainder of `.`/`..` or starting `./`/`../` must not climb out of the service path. */
function sanitizePostfix(postfix: string): string {
  if (postfix === '' || postfix.charCodeAt(0) !== 46 /* . */) return postfix;
  if (postfix === '.' || postfix === '..') return '';
  if (postfix.startsWith('./')) return postfix.slice(2);
  if (postfix.startsWith('../')) return postfix.slice(3);
  return postfix;
}

export interface PathInput {
  /** Service path, null when the service has none (Kong then uses `/`). */
  readonly servicePath: string | null;
  readonly stripPath: boolean;
  readonly pathHandling: 'v0' | 'v1';
  /** Request path without the query, as received. */
  readonly requestPath: string;
  /** What the route's path matched (RouteMatch.matchedPath); null when matched without a path. */
  readonly matchedPath: string | null;
}

/** The path strip_path removes (becomes X-Forwarded-Prefix), or null when nothing is stripped. */
export function strippedPrefix(stripPath: boolean, requestPath: string, matchedPath: string | null): string | null {
  if (!stripPath || matchedPath === null || !requestPath.startsWith(matchedPath)) return null;
  return matchedPath;
}

export function upstreamPath(i: PathInput): string {
  return joinUpstreamPath(i.servicePath, i.stripPath, i.pathHandling, i.requestPath, i.matchedPath);
}

/** upstreamPath with positional arguments: the request path calls this, allocating nothing on the common case. */
export function joinUpstreamPath(servicePath: string | null, stripPath: boolean, pathHandling: 'v0' | 'v1', req: string, matchedPath: string | null): string {
  // The common case (no service path, nothing stripped): both algorithms forward the request path as is.
  if (!stripPath && (servicePath === null || servicePath === '/') && req.charCodeAt(0) === SLASH) return req;
  const base = servicePath ?? '/';
  const prefix = strippedPrefix(stripPath, req, matchedPath);
  // Kong: with a path match under strip_path the postfix is what follows the
  // match; otherwise it is the whole request path without its first slash.
  const postfix = prefix !== null ? sanitizePostfix(req.slice(prefix.length)) : req.slice(1);

  if (pathHandling === 'v1') {
    if (!stripPath) return base + req.slice(1);
    if (base.charCodeAt(base.length - 1) === SLASH && postfix.charCodeAt(0) === SLASH) return base.slice(0, -1) + postfix;
    return base + postfix;
  }

  // v0
  if (base.charCodeAt(base.length - 1) === SLASH) {
    if (!stripPath) return base + req.slice(1);
    if (postfix === '') {
      if (base === '/') return '/';
      return req.charCodeAt(req.length - 1) === SLASH ? base : base.slice(0, -1);
    }
    if (postfix.charCodeAt(0) === SLASH) return base.slice(0, -1) + postfix;
    return base + postfix;
  }
  if (!stripPath) return req === '/' ? base : base + req;
  if (postfix === '') return req.length > 1 && req.charCodeAt(req.length - 1) === SLASH ? base + '/' : base;
  if (postfix.charCodeAt(0) === SLASH) return base + postfix;
  return base + '/' + postfix;
}
