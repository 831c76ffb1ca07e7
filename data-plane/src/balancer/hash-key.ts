// What a consistent-hashing upstream hashes a request on (Kong's hash_on /
// hash_fallback and their *_header, *_cookie, *_query_arg, *_uri_capture
// fields), compiled once per upstream into a function the pick calls. It
// answers a finished 32-bit hash, or NO_KEY when neither the primary input nor
// the fallback is present. Values are hashed where they sit in the request
// (header, cookie header, URL) — nothing is sliced or split per request.
import { randomUUID } from 'node:crypto';
import type { Upstream } from '@portico/shared';
import { fmix32, hashRange, hashString } from './hash.js';
import type { PickInput } from './types.js';

export const NO_KEY = -1;

/** The request's key hash, or NO_KEY. May set `input.setCookie` (cookie generated). */
export type HashKey = (input: PickInput) => number;

type Part = (input: PickInput) => number;

const none: Part = () => NO_KEY;

const ofString = (v: string | null | undefined): number => (v === null || v === undefined ? NO_KEY : hashString(v));

/** Node joins repeated headers with ', ' except set-cookie (an array): hash the parts as one. */
function header(name: string): Part {
  const key = name.toLowerCase();
  return (input) => {
    const v = input.req.headers[key];
    if (v === undefined) return NO_KEY;
    if (typeof v === 'string') return hashString(v);
    let h = 0x811c9dc5;
    for (let i = 0; i < v.length; i++) h = hashRange(v[i]!, 0, v[i]!.length, i === 0 ? h : hashRange(', ', 0, 2, h));
    return fmix32(h);
  };
}

/** The range [start, end) of cookie `name`'s value in a Cookie header, or start = -1. */
function findCookie(header: string, name: string, out: Int32Array): void {
  out[0] = -1;
  let i = 0;
  const n = header.length;
  while (i < n) {
    while (i < n && (header.charCodeAt(i) === 32 || header.charCodeAt(i) === 59)) i++; // ' ' ';'
    if (header.startsWith(name, i) && header.charCodeAt(i + name.length) === 61) {
      const start = i + name.length + 1;
      let end = header.indexOf(';', start);
      if (end < 0) end = n;
      out[0] = start;
      out[1] = end;
      return;
    }
    const next = header.indexOf(';', i);
    if (next < 0) return;
    i = next + 1;
  }
}

/**
 * Kong: when the request lacks the cookie, a uuid is generated, hashed on,
 * and sent back as `Set-Cookie: <name>=<uuid>; Path=<path>; Same-Site=Lax;
 * HttpOnly` — Kong's exact attribute spelling, kept so clients see what Kong
 * sends. A retry passing the same input reuses the value it generated.
 */
function cookie(name: string, path: string): Part {
  const range = new Int32Array(2);
  const prefix = `${name}=`;
  return (input) => {
    const h = input.req.headers.cookie;
    if (h !== undefined) {
      findCookie(h, name, range);
      if (range[0]! >= 0) return fmix32(hashRange(h, range[0]!, range[1]!));
    }
    const earlier = input.setCookie;
    let value: string;
    if (typeof earlier === 'string' && earlier.startsWith(prefix)) value = earlier.slice(prefix.length, earlier.indexOf(';'));
    else {
      value = randomUUID();
      input.setCookie = `${prefix}${value}; Path=${path}; Same-Site=Lax; HttpOnly`;
    }
    return hashString(value);
  };
}

/** Start of the path in req.url (origin-form `/…`, or absolute-form `http://host/…`). */
function pathStart(url: string): number {
  if (url.charCodeAt(0) === 47) return 0;
  const scheme = url.indexOf('://');
  if (scheme < 0) return 0;
  const slash = url.indexOf('/', scheme + 3);
  return slash < 0 ? url.length : slash;
}

const path: Part = (input) => {
  const url = input.req.url ?? '/';
  const start = pathStart(url);
  let end = url.indexOf('?', start);
  if (end < 0) end = url.length;
  return fmix32(hashRange(url, start, end));
};

/**
 * Kong sorts and joins repeated arguments; summing the hashes of each value
 * is order-independent the same way, without building the list. Values are
 * hashed as sent (not percent-decoded).
 */
function queryArg(name: string): Part {
  return (input) => {
    const url = input.req.url ?? '';
    const q = url.indexOf('?');
    if (q < 0) return NO_KEY;
    let found = false;
    let sum = 0;
    let i = q + 1;
    const n = url.length;
    while (i <= n) {
      let end = url.indexOf('&', i);
      if (end < 0) end = n;
      if (url.startsWith(name, i)) {
        const after = i + name.length;
        if (after === end) {
          found = true; // `?arg` without a value: Kong's `true`
          sum = (sum + hashString('true')) >>> 0;
        } else if (url.charCodeAt(after) === 61) {
          found = true;
          sum = (sum + fmix32(hashRange(url, after + 1, end))) >>> 0;
        }
      }
      i = end + 1;
    }
    return found ? fmix32(sum) : NO_KEY;
  };
}

function uriCapture(group: string): Part {
  return (input) => ofString(input.uriCaptures?.[group]);
}

function part(on: Upstream['hash_on'], header_: string | null, cookieName: string | null, cookiePath: string, arg: string | null, capture: string | null): Part {
  switch (on) {
    case 'none':
      return none;
    case 'consumer':
      return (input) => ofString(input.consumerId);
    case 'ip':
      return (input) => (input.clientIp === '' ? NO_KEY : hashString(input.clientIp));
    case 'header':
      return header_ === null ? none : header(header_);
    case 'cookie':
      return cookieName === null ? none : cookie(cookieName, cookiePath);
    case 'path':
      return path;
    case 'query_arg':
      return arg === null ? none : queryArg(arg);
    case 'uri_capture':
      return capture === null ? none : uriCapture(capture);
    default:
      return none;
  }
}

export function compileHashKey(u: Upstream): HashKey {
  const primary = part(u.hash_on, u.hash_on_header, u.hash_on_cookie, u.hash_on_cookie_path, u.hash_on_query_arg, u.hash_on_uri_capture);
  if (u.hash_on === 'none' || u.hash_fallback === 'none') return primary;
  const fallback = part(u.hash_fallback, u.hash_fallback_header, u.hash_on_cookie, u.hash_on_cookie_path, u.hash_fallback_query_arg, u.hash_fallback_uri_capture);
  return (input) => {
    const h = primary(input);
    return h !== NO_KEY ? h : fallback(input);
  };
}
