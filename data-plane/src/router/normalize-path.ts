// Kong normalises the request path before routing (kong/tools/uri.lua,
// `normalize(uri, true)`), and so do we, so that `/a/%62` and `/a//b/../b`
// route like `/a/b`:
//   1. percent-encoded triplets are decoded unless they encode an RFC 3986
//      reserved character (`!*'();:@&=+$,/?%#[]`), which stays encoded with
//      its hex upper-cased — decoding `%2F` would change the path's meaning;
//   2. dot segments are removed (RFC 3986 §5.2.4) and `//` is merged to `/`.
// Kong works on bytes; we decode runs of non-ASCII triplets as UTF-8 (so a
// route path `/café` matches `/caf%C3%A9`) and leave invalid UTF-8 encoded.
// Not reproduced: nothing — the query string is already cut by the caller,
// and Kong does no case folding or trailing-slash handling either.
// The common path (no `%`, no dot segment, no `//`) returns the input string
// untouched: the hot path pays one scan and no allocation.

const PERCENT = 37;
const DOT = 46;
const SLASH = 47;
const RESERVED = new Set("!*'();:@&=+$,/?%#[]".split('').map((c) => c.charCodeAt(0)));
/** A `%`, a `//`, or a dot right after a slash or at the start. */
const MAY_NEED_WORK = /%|\/\/|\/\.|^\./;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function normalizePath(path: string): string {
  // One native regex scan first (measured faster than indexOf calls or a JS
  // loop): on a normal path it is all this costs.
  if (!MAY_NEED_WORK.test(path)) return path;
  if (path.includes('%') || path.includes('//')) return slowNormalize(path);
  // Only a `.` right after a `/` (or at the very start) can begin a dot segment.
  if (path.charCodeAt(0) === DOT && isDotSegmentEnd(path, 1)) return slowNormalize(path);
  for (let i = path.indexOf('/.'); i >= 0; i = path.indexOf('/.', i + 1)) {
    if (isDotSegmentEnd(path, i + 2)) return slowNormalize(path);
  }
  return path;
}

/** After a `.` that starts a segment: is this `.` or `..` as a whole segment? */
function isDotSegmentEnd(path: string, i: number): boolean {
  const c = path.charCodeAt(i);
  if (Number.isNaN(c) || c === SLASH) return true;
  if (c !== DOT) return false;
  const d = path.charCodeAt(i + 1);
  return Number.isNaN(d) || d === SLASH;
}

function slowNormalize(path: string): string {
  let uri = path.includes('%') ? percentDecode(path) : path;
  if (uri === '' || uri === '/') return uri;
  return removeDotSegments(uri);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function byteAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== PERCENT) return -1;
  const h = hexValue(s.charCodeAt(i + 1));
  const l = hexValue(s.charCodeAt(i + 2));
  return h < 0 || l < 0 ? -1 : (h << 4) | l;
}

const upperTriplet = (b: number): string => '%' + b.toString(16).toUpperCase().padStart(2, '0');

function percentDecode(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const b = byteAt(s, i);
    if (b < 0) {
      out += s[i];
      i++;
    } else if (b < 0x80) {
      out += RESERVED.has(b) ? upperTriplet(b) : String.fromCharCode(b);
      i += 3;
    } else {
      // A run of non-ASCII bytes: one UTF-8 sequence or more.
      const bytes: number[] = [];
      let j = i;
      for (let x = byteAt(s, j); x >= 0x80; x = byteAt(s, j)) {
        bytes.push(x);
        j += 3;
      }
      try {
        out += utf8.decode(Uint8Array.from(bytes));
      } catch {
        out += bytes.map(upperTriplet).join('');
      }
      i = j;
    }
  }
  return out;
}

/** Kong's dot-segment removal with slash merging, segment by segment. */
function removeDotSegments(input: string): string {
  let uri = input;
  const out: string[] = [];
  while (uri.length > 0) {
    if (uri === '/.') uri = '/';
    else if (uri === '/..') {
      uri = '/';
      out.pop();
    } else if (uri === '.' || uri === '..') uri = '';
    else if (uri.startsWith('../')) uri = uri.slice(3);
    else if (uri.startsWith('./')) uri = uri.slice(2);
    else if (uri.startsWith('/./')) uri = uri.slice(2);
    else if (uri.startsWith('/../')) {
      uri = uri.slice(3);
      out.pop();
    } else if (uri.startsWith('//')) uri = uri.slice(1);
    else {
      const next = uri.indexOf('/', 1);
      if (next < 0) {
        out.push(uri);
        uri = '';
      } else {
        out.push(uri.slice(0, next));
        uri = uri.slice(next);
      }
    }
  }
  return out.join('');
}
