// Splits what the client asked for into the router's inputs: path (as
// received, no query), raw query (passed upstream untouched, `?` included)
// and host (lower-case, no port). Origin-form (`/p?q`) is the fast path;
// absolute-form (`http://h/p?q`, legal in HTTP/1.1) takes its host from the
// request line, as nginx does.

export interface RequestTarget {
  readonly path: string;
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
    return q === -1
      ? { path: url, query: '', host: hostWithoutPort(hostHeader) }
      : { path: url.slice(0, q), query: url.slice(q), host: hostWithoutPort(hostHeader) };
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
  return rq === -1 ? { path: rest, query: '', host } : { path: rest.slice(0, rq), query: rest.slice(rq), host };
}
