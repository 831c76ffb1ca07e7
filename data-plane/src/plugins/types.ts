// The plugin contract, Envoy-filter style: a factory prepares everything once
// per config (create), and the request path only calls the phase handlers it
// returned. A phase either continues (returns undefined) or answers; only
// answer.ts turns an answer into a response.
import type { IncomingHttpHeaders } from 'node:http';
import type { PluginSchemaDefinition } from '@portico/shared';
import type { CompiledConsumer } from '../compile/types.js';
import type { PluginContext } from './context.js';
import type { PluginRuntime } from './runtime.js';

/** An answer in Kong's body shape, `{"message": …}` (401, 429, 500 …). */
export interface MessageAnswer {
  readonly kind: 'message';
  readonly status: number;
  readonly message: string;
  /** Extra response headers as a flat [name, value, …] list. */
  readonly headers?: readonly string[];
}

/** A complete response a plugin already has (a cache hit). */
export interface RawAnswer {
  readonly kind: 'raw';
  readonly status: number;
  readonly headers: readonly string[];
  readonly body: Buffer;
}

export type Answer = MessageAnswer | RawAnswer;

/** undefined = continue with the next plugin, then the upstream. */
export type AccessResult = Answer | undefined;

/** The upstream response head as plugins see it in the response phase. */
export interface ResponseHead {
  readonly status: number;
  /** undici's raw header list: name, value, name, value … */
  readonly raw: readonly Buffer[];
}

/** Receives the upstream body as it streams to the client (a tee, never a buffer in front of the client). */
export interface BodyTap {
  data(chunk: Buffer): void;
  /** The body ended; `complete` is false when the transfer failed or the client went away. */
  end(complete: boolean): void;
}

export interface PluginHandlers {
  /**
   * The runtime state this handler owns (a cache namespace). After a swap the
   * runtime drops state whose namespace no compiled route uses any more.
   */
  readonly namespace?: string;
  /** Before proxying. May return a Promise only when it must wait (reading a body). */
  access?(ctx: PluginContext): AccessResult | Promise<AccessResult>;
  /** Upstream response head, before it is written to the client. May add headers and set `ctx.tap`. */
  response?(ctx: PluginContext, head: ResponseHead): void;
  /** After the response is finished (answered or proxied). */
  log?(ctx: PluginContext): void;
}

/** A compiled plugin entity: handlers shared by every route it applies to, or bound per route. */
export interface PluginInstance {
  readonly handlers: PluginHandlers;
  /** Per-route specialisation prepared at compile time (e.g. cache-key prefixes). */
  bindRoute?(route: RouteBinding): PluginHandlers;
}

export interface RouteBinding {
  readonly routeId: string;
  /** Changes whenever the route's stored body changes. */
  readonly routeDigest: string;
}

/**
 * What a factory may use while preparing an instance. Not the consumer table:
 * an instance is kept across consumer and credential edits (compile-plugins.ts),
 * so a handler reads the table of the request's config (ctx.config.consumers).
 */
export interface PluginEnv {
  readonly pluginId: string;
  /** sha256 of the plugin's stored config text: changes exactly when its config changes. */
  readonly configDigest: string;
  readonly runtime: PluginRuntime;
}

/** The data-plane half of a plugin; the shared half (schema, priority) is `schema`. */
export interface PluginFactory<C = Record<string, unknown>> {
  readonly schema: PluginSchemaDefinition;
  /**
   * Prepares an instance from a validated config (defaults filled). Returns a
   * message instead when the config cannot be served; compile NACKs with it.
   */
  create(config: C, env: PluginEnv): PluginInstance | string;
}

export type { CompiledConsumer, IncomingHttpHeaders };
