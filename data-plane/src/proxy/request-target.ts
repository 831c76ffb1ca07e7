// Splits what the client asked for into the router's inputs: path (as
// received, no query), raw query (passed upstream untouched, `?` included)
// and host (lower-case, no port). Origin-form (`/p?q`) is the fast path;
// absolute-form (`http://h/p?q`, legal in HTTP/1.1) takes its host from the
// request line, as nginx does. The path is normalised here, once per
// request: the router matches on it and the upstream path is built from it.
import { normalizePath } from '../router/normalize-path.js';

export interface RequestTarget {
  readonly path: string;
  /** `normalizePath(path)`: what the router matches and Kong forwards (the same string as `path` unless the client sent %-escapes, dot segments or `//`). */
  readonly normalized: string;
  /** `?…` or '' */
  readonly query: string;
  readonly host: string;
}

/** Host header → host without port, lower-case (nginx `$host`). IPv6 literals keep their brackets. */
export function hostWithoutPort(header: string | undefined): string {
  if (header === undefined || header === '') return '';
  let end: number;
  if (header.charCodeAt(0) === 91 /* [ */) {
    const close = header.indexOf(']');
    end = close === -1 ? header.length : close + 1;
  } else {
    const colon = header.indexOf(':');
    end = colon === -1 ? header.length : colon;
  }
  return header.slice(0, end).toLowerCase();
}

/** null when the target is neither origin-form nor an absolute http(s) URL (answered 400). */
export function parseTarget(url: string, hostHeader: string | undefined): RequestTarget | null {
  if (url.charCodeAt(0) === 47 /* / */) {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    return { path, normalized: normalizePath(path), query: q === -1 ? '' : url.slice(q), host: hostWithoutPort(hostHeader) };
  }
  const scheme = /^https?:\/\//i.exec(url);
  if (scheme === null) return null;
  const authorityStart = scheme[0].length;
  let pathStart = url.indexOf('/', authorityStart);
  const q = url.indexOf('?', authorityStart);
  if (q !== -1 && (pathStart === -1 || q < pathStart)) pathStart = -1;
  const authorityEnd = pathStart !== -1 ? pathStart : q !== -1 ? q : url.length;
  const host = hostWithoutPort(url.slice(authorityStart, authorityEnd).replace(/^[^@]*@/, ''));
  const rest = pathStart === -1 ? '/' + (q === -1 ? '' : url.slice(q)) : url.slice(pathStart);
  const rq = rest.indexOf('?');
  const path = rq === -1 ? rest : rest.slice(0, rq);
  return { path, normalized: normalizePath(path), query: rq === -1 ? '' : rest.slice(rq), host };
}
