// Turns one route into router entries — one per path, as Kong 3 ranks each
// path of a route separately — with everything a match needs prepared:
// method set, parsed hosts, header sets and regexes, the compiled path regex,
// and a prebuilt RouteMatch when the matched path is known in advance.
import { PorticoError } from '@portico/shared';
import type { CompiledRoute, RouteMatch } from '../compile/types.js';
import { RouterErrors } from './errors.js';
import { normalizePath } from './normalize-path.js';
import { regexLiteralPrefix } from './regex-prefix.js';
import type { RouterRoute } from './router-route.js';

export const HOST_EXACT = 0;
export const HOST_SUFFIX = 1; // `*.example.com`
export const HOST_PREFIX = 2; // `example.*`

export interface HostSpec {
  readonly kind: 0 | 1 | 2;
  /** Lower-case host, or the fixed part of a wildcard (`.example.com`, `example.`). */
  readonly value: string;
  /** Required port, or -1 for any. */
  readonly port: number;
}

export interface HeaderRule {
  readonly name: string;
  /** Accepted values, lower-cased. */
  readonly values: ReadonlySet<string>;
  readonly regexes: readonly RegExp[];
}

export const PATH_NONE = 0;
export const PATH_PREFIX = 1;
export const PATH_REGEX = 2;

/** What every entry of one route shares: PreparedEntry's route-level fields. */
type EntryBase = Pick<PreparedEntry, 'input' | 'methods' | 'hosts' | 'snis' | 'headers' | 'weight' | 'plainHostOnly' | 'headerCount'>;

/**
 * One (route, path) pair, ready to match; immutable and reusable across router
 * builds. A class, not object spreads, so every entry has one hidden class.
 */
export class PreparedEntry {
  readonly input: RouterRoute;
  readonly route: CompiledRoute;
  readonly methods: ReadonlySet<string> | null;
  readonly hosts: readonly HostSpec[] | null;
  readonly snis: ReadonlySet<string> | null;
  readonly headers: readonly HeaderRule[] | null;
  // Kong 3 priority keys (kong/router/transform.lua, get_priority), most significant first.
  readonly weight: number;
  readonly plainHostOnly: boolean;
  readonly headerCount: number;
  readonly createdAt: number;

  constructor(
    base: EntryBase,
    readonly pathKind: 0 | 1 | 2,
    /** The prefix, or a regex's literal prefix: where the entry sits in the path tree. */
    readonly pathKey: string,
    readonly regex: RegExp | null,
    /** Prebuilt answer when the matched path does not depend on the request. */
    readonly match: RouteMatch | null,
    readonly regexPriority: number,
    readonly prefixLength: number,
    readonly pathIndex: number,
  ) {
    this.input = base.input;
    this.route = base.input.route;
    this.methods = base.methods;
    this.hosts = base.hosts;
    this.snis = base.snis;
    this.headers = base.headers;
    this.weight = base.weight;
    this.plainHostOnly = base.plainHostOnly;
    this.headerCount = base.headerCount;
    this.createdAt = base.input.created_at;
  }
}

const fail = (r: RouterRoute, field: string, why: string): never => {
  throw new PorticoError(RouterErrors.ROUTE_INVALID, `route '${r.route.id}': ${field}: ${why}`);
};

const nonEmpty = <T>(v: readonly T[] | null): v is readonly T[] => v !== null && v.length > 0;

export function prepareEntries(r: RouterRoute): PreparedEntry[] {
  const methods = nonEmpty(r.methods) ? new Set(r.methods.map((m) => m.toUpperCase())) : null;
  const hosts = nonEmpty(r.hosts) ? r.hosts.map((h, i) => parseHost(r, h, i)) : null;
  const snis = nonEmpty(r.snis) ? new Set(r.snis.map((s) => (s.length > 1 && s.endsWith('.') ? s.slice(0, -1) : s).toLowerCase())) : null;
  const headers = prepareHeaders(r);
  const paths = nonEmpty(r.paths) ? r.paths : null;
  const weight = +(methods !== null) + +(hosts !== null) + +(headers !== null) + +(snis !== null) + +(paths !== null);
  if (weight === 0) fail(r, 'route', "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis'");

  const base: EntryBase = {
    input: r,
    methods,
    hosts,
    snis,
    headers,
    weight,
    plainHostOnly: hosts !== null && hosts.every((h) => h.kind === HOST_EXACT),
    headerCount: headers === null ? 0 : headers.length,
  };
  if (paths === null) return [new PreparedEntry(base, PATH_NONE, '', null, freezeMatch(r.route, null), 0, 0, 0)];
  return paths.map((p, i): PreparedEntry => {
    if (p.startsWith('~')) {
      const source = p.slice(1);
      if (!source.startsWith('/')) fail(r, `paths[${i}]`, 'should start with: / (fixed path) or ~/ (regex path)');
      let regex: RegExp;
      try {
        // Kong anchors regex paths at the start of the path (PCRE "a" flag / `^`).
        regex = new RegExp(`^(?:${source})`);
      } catch (err) {
        return fail(r, `paths[${i}]`, `invalid regex: '${source}' (${(err as Error).message})`);
      }
      return new PreparedEntry(base, PATH_REGEX, regexLiteralPrefix(source), regex, null, r.regex_priority, 0, i);
    }
    if (!p.startsWith('/')) fail(r, `paths[${i}]`, 'should start with: / (fixed path) or ~/ (regex path)');
    const prefix = normalizePath(p);
    return new PreparedEntry(base, PATH_PREFIX, prefix, null, freezeMatch(r.route, prefix), 0, prefix.length, i);
  });
}

const freezeMatch = (route: CompiledRoute, matchedPath: string | null): RouteMatch => Object.freeze({ route, matchedPath });

function parseHost(r: RouterRoute, raw: string, i: number): HostSpec {
  let host = raw.toLowerCase();
  let port = -1;
  const colon = host.lastIndexOf(':');
  if (colon > 0 && !host.startsWith('[') && /^\d+$/.test(host.slice(colon + 1))) {
    port = Number(host.slice(colon + 1));
    host = host.slice(0, colon);
  } else if (host.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
    if (m === null) return fail(r, `hosts[${i}]`, `invalid value: ${raw}`);
    host = m[1]!;
    if (m[2] !== undefined) port = Number(m[2]);
  }
  const stars = host.split('*').length - 1;
  if (stars === 0) return { kind: HOST_EXACT, value: host, port };
  if (stars > 1) fail(r, `hosts[${i}]`, 'invalid wildcard: must have at most one wildcard');
  if (host.startsWith('*.') && host.length > 2) return { kind: HOST_SUFFIX, value: host.slice(1), port };
  if (host.endsWith('.*') && host.length > 2) return { kind: HOST_PREFIX, value: host.slice(0, -1), port };
  return fail(r, `hosts[${i}]`, 'invalid wildcard: must be placed at leftmost or rightmost label');
}

function prepareHeaders(r: RouterRoute): HeaderRule[] | null {
  if (r.headers === null) return null;
  const rules: HeaderRule[] = [];
  for (const [rawName, values] of Object.entries(r.headers)) {
    const name = rawName.toLowerCase();
    if (name === 'host') fail(r, `headers.${rawName}`, "cannot contain 'host' header, which must be specified in the 'hosts' attribute");
    if (values.length === 0) continue;
    const plain = new Set<string>();
    const regexes: RegExp[] = [];
    for (const v of values) {
      if (!v.startsWith('~*')) {
        plain.add(v.toLowerCase());
        continue;
      }
      try {
        // `~*` is nginx's "case-insensitive regex"; Kong lower-cases both sides,
        // the `i` flag gives the same result without rewriting the pattern.
        regexes.push(new RegExp(v.slice(2), 'i'));
      } catch (err) {
        fail(r, `headers.${rawName}`, `invalid regex: '${v.slice(2)}' (${(err as Error).message})`);
      }
    }
    rules.push({ name, values: plain, regexes });
  }
  return rules.length > 0 ? rules : null;
}

/** Kong 3's order between entries: negative when `a` is tried before `b`. */
export function comparePriority(a: PreparedEntry, b: PreparedEntry): number {
  return (
    b.weight - a.weight ||
    +b.plainHostOnly - +a.plainHostOnly ||
    b.headerCount - a.headerCount ||
    +(b.pathKind === PATH_REGEX) - +(a.pathKind === PATH_REGEX) ||
    b.regexPriority - a.regexPriority ||
    b.prefixLength - a.prefixLength ||
    a.createdAt - b.createdAt ||
    (a.route.id < b.route.id ? -1 : a.route.id > b.route.id ? 1 : 0) ||
    a.pathIndex - b.pathIndex
  );
}
