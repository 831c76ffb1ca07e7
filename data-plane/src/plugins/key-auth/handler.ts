// key-auth (Kong 3.x kong/plugins/key-auth/handler.lua). The key is looked up
// by its sha256 digest in a table compiled from the snapshot's credentials,
// so no early-out comparison ever runs over the secret itself; keys never
// reach a log line or a message. A keep-alive connection that presents the
// same key again skips the hash (connectionKeys). The table is the one of the
// config the request runs on (ctx.config.consumers), not one held by the
// instance: an instance outlives consumer and credential edits, so adding an
// API key does not make every route resolve its plugins again
// (compile-plugins.ts).
import { hash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { KeyAuthConfig } from '@portico/shared';
import { PLUGIN_INTERNAL_ERROR } from '../answer.js';
import type { PluginContext } from '../context.js';
import { authenticate, identityOf, type Identity } from '../identity.js';
import type { ConsumerTable, KeyAuthCredentialEntry } from '../../compile/types.js';
import type { AccessResult, MessageAnswer, PluginHandlers, PluginInstance } from '../types.js';
import { bodyValue, bodyWithout, DUPLICATE, headerValue, parseBody, queryWithout, type ParsedBody } from './find-key.js';

/**
 * Hash of a presented key, the form the credential table is indexed by. The
 * one-shot crypto.hash costs a third of createHash().update().digest(): no
 * Hash object per request.
 */
export const keyDigest = (key: string): string => hash('sha256', key, 'base64');

/**
 * The last key each connection authenticated with, and what it resolved to in
 * one consumer table. Clients on a keep-alive connection send the same key on
 * every request; comparing it with the previous one in constant time is about
 * a twentieth of hashing it. Misses are not kept, a new consumer table (any
 * consumer or credential change) invalidates the entry, and the entry goes
 * with the socket.
 */
interface ConnectionKey {
  table: ConsumerTable;
  key: string;
  found: KeyAuthCredentialEntry;
}
const connectionKeys = new WeakMap<Socket, ConnectionKey>();

/**
 * Equal strings, in time that depends on their length only: the loop runs
 * to the end whatever it finds, so a mismatch's position is not observable.
 */
export function sameKey(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function createKeyAuth(c: KeyAuthConfig): PluginInstance {
  return { handlers: new KeyAuthHandlers(c) };
}

class KeyAuthHandlers implements PluginHandlers {
  readonly #names: readonly { readonly name: string; readonly lower: string }[];
  readonly #noKey: MessageAnswer;
  readonly #invalid: MessageAnswer;
  readonly #duplicate: MessageAnswer;
  /** The consumer table #anonymousIn last resolved `anonymous` in, and what it found there. */
  #anonTable: ConsumerTable | null = null;
  #anonIdentity: Identity | null = null;

  constructor(readonly config: KeyAuthConfig) {
    this.#names = config.key_names.map((name) => ({ name, lower: name.toLowerCase() }));
    const challenge = ['WWW-Authenticate', `Key realm="${config.realm ?? 'kong'}"`];
    this.#noKey = { kind: 'message', status: 401, message: 'No API key found in request', headers: challenge };
    this.#invalid = { kind: 'message', status: 401, message: 'Invalid authentication credentials', headers: challenge };
    this.#duplicate = { kind: 'message', status: 401, message: 'Duplicate API key found', headers: challenge };
  }

  /**
   * The anonymous consumer's identity in `table` (by id, else username): null
   * when there is no such consumer, which Kong answers with a 500. Kept for
   * the last table seen, so a config's requests look it up once.
   */
  #anonymousIn(table: ConsumerTable): Identity | null {
    if (table !== this.#anonTable) {
      const anon = this.config.anonymous!;
      const consumer = table.byId.get(anon) ?? table.byUsername.get(anon);
      this.#anonIdentity = consumer === undefined ? null : identityOf(consumer, null);
      this.#anonTable = table;
    }
    return this.#anonIdentity;
  }

  access(ctx: PluginContext): AccessResult | Promise<AccessResult> {
    const c = this.config;
    if (!c.run_on_preflight && ctx.method === 'OPTIONS') return undefined;
    // Kong: with anonymous, auth plugins are OR-ed; an earlier one already authenticated.
    if (c.anonymous !== null && ctx.credential !== null) return undefined;

    for (const { name, lower } of this.#names) {
      let v: string | typeof DUPLICATE | undefined;
      let where: 'header' | 'query' | undefined;
      if (c.key_in_header) {
        v = headerValue(ctx.headers, ctx.req.rawHeaders, lower);
        where = 'header';
      }
      if (v === undefined && c.key_in_query && ctx.query !== '') {
        const all = ctx.queryParams().getAll(name);
        v = all.length === 0 ? undefined : all.length > 1 ? DUPLICATE : all[0];
        where = 'query';
      }
      if (v === DUPLICATE) return this.#fail(ctx, this.#duplicate);
      if (v !== undefined) {
        if (c.hide_credentials) this.#hide(ctx, name, lower, where!);
        return this.#authenticate(ctx, v);
      }
    }
    if (c.key_in_body) return this.#fromBody(ctx);
    return this.#fail(ctx, this.#noKey);
  }

  async #fromBody(ctx: PluginContext): Promise<AccessResult> {
    const raw = await ctx.readBody();
    const body = parseBody(ctx.headers['content-type'], raw);
    if (body === null) return this.#fail(ctx, this.#noKey);
    for (const { name } of this.#names) {
      const v = bodyValue(body, name);
      if (v === DUPLICATE) return this.#fail(ctx, this.#duplicate);
      if (v !== undefined) {
        if (this.config.hide_credentials) ctx.upstreamBody = bodyWithout(body as ParsedBody, name);
        return this.#authenticate(ctx, v);
      }
    }
    return this.#fail(ctx, this.#noKey);
  }

  #hide(ctx: PluginContext, name: string, lower: string, where: 'header' | 'query'): void {
    // Kong clears the name from both places whichever it came from.
    ctx.clearUpstreamHeader(lower);
    if (ctx.query !== '' && (where === 'query' || ctx.queryParams().has(name))) ctx.upstreamQuery = queryWithout(ctx.queryParams(), name);
  }

  #authenticate(ctx: PluginContext, key: string): AccessResult {
    if (key === '') return this.#fail(ctx, this.#noKey);
    const table = ctx.config.consumers;
    const socket = ctx.req.socket;
    const last = connectionKeys.get(socket);
    if (last !== undefined && last.table === table && sameKey(last.key, key)) {
      authenticate(ctx, last.found.identity);
      return undefined;
    }
    const found = table.keyAuthByDigest.get(keyDigest(key));
    if (found === undefined) return this.#fail(ctx, this.#invalid);
    if (last === undefined) connectionKeys.set(socket, { table, key, found });
    else {
      last.table = table;
      last.key = key;
      last.found = found;
    }
    authenticate(ctx, found.identity);
    return undefined;
  }

  #fail(ctx: PluginContext, answer: MessageAnswer): AccessResult {
    if (this.config.anonymous === null) return answer;
    const anon = this.#anonymousIn(ctx.config.consumers);
    if (anon === null) return PLUGIN_INTERNAL_ERROR;
    authenticate(ctx, anon);
    return undefined;
  }
}
