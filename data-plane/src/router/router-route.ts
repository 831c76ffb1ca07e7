// What the router is built from: Kong's matching fields of a route, as in the
// entity, plus the compiled route a match answers with.
import type { CompiledRoute } from '../compile/types.js';

export interface RouterRoute {
  readonly route: CompiledRoute;
  /** Kong's tiebreak between routes of equal priority: older first. */
  readonly created_at: number;
  readonly regex_priority: number;
  readonly methods: readonly string[] | null;
  readonly hosts: readonly string[] | null;
  /** Prefix paths (`/foo`) and regex paths (`~/foo/\d+`). */
  readonly paths: readonly string[] | null;
  /** Header name → accepted values; a value starting `~*` is a case-insensitive regex. */
  readonly headers: Readonly<Record<string, readonly string[]>> | null;
  readonly snis: readonly string[] | null;
}

/** Builds a Router from routes; the shared contract test runs against one of these. */
export type RouterFactory = (routes: readonly RouterRoute[]) => import('../compile/types.js').Router;
