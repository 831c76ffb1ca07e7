// What a candidate entry checks against a request, besides its path (which
// the tree walk or the entry's regex checks).
import type { IncomingHttpHeaders } from 'node:http';
import type { MatchInput } from '../compile/types.js';
import type { RankedEntry } from './rank-order.js';
import { HOST_EXACT, HOST_SUFFIX, type HeaderRule, type HostSpec } from './route-entry.js';

export function accepts(e: RankedEntry, input: MatchInput): boolean {
  if (e.methods !== null && !e.methods.has(input.method)) return false;
  if (e.hosts !== null && !hostMatches(e.hosts, input.host, input.port)) return false;
  // Kong: SNIs only constrain TLS requests (`net.protocol != "https" || tls.sni == …`).
  if (e.snis !== null && input.sni !== undefined && !e.snis.has(input.sni)) return false;
  if (e.headers !== null && !headersMatch(e.headers, input.headers)) return false;
  return true;
}

function hostMatches(hosts: readonly HostSpec[], host: string, port: number | undefined): boolean {
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i]!;
    if (h.port !== -1 && h.port !== port) continue;
    if (h.kind === HOST_EXACT) {
      if (host === h.value) return true;
    } else if (h.kind === HOST_SUFFIX) {
      if (host.length > h.value.length && host.endsWith(h.value)) return true;
    } else if (host.length > h.value.length && host.startsWith(h.value)) {
      return true;
    }
  }
  return false;
}

function headersMatch(rules: readonly HeaderRule[], headers: IncomingHttpHeaders): boolean {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const v = headers[rule.name];
    if (v === undefined) return false;
    if (typeof v === 'string') {
      if (!headerValueMatches(rule, v)) return false;
    } else if (!v.some((x) => headerValueMatches(rule, x))) {
      return false;
    }
  }
  return true;
}

function headerValueMatches(rule: HeaderRule, value: string): boolean {
  if (valueMatches(rule, value)) return true;
  // Node joins repeated headers with ", "; Kong sees each line separately and
  // accepts the header when any of them matches.
  if (value.includes(',')) {
    for (const part of value.split(',')) if (valueMatches(rule, part.trim())) return true;
  }
  return false;
}

function valueMatches(rule: HeaderRule, value: string): boolean {
  if (rule.values.size > 0 && rule.values.has(value.toLowerCase())) return true;
  for (let i = 0; i < rule.regexes.length; i++) if (rule.regexes[i]!.test(value)) return true;
  return false;
}

/** Kong's uri_captures: numbered groups as "1", "2" … plus named groups. */
export function capturesOf(m: RegExpExecArray): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (let i = 1; i < m.length; i++) out[String(i)] = m[i];
  if (m.groups) Object.assign(out, m.groups);
  return out;
}
