// Complete stored bodies (every field, Kong's defaults filled) for tests that
// drive the real compile(): services, routes, consumers, credentials,
// plugins, upstreams and targets. Plugin configs are completed with the same
// shared schemas the admin API uses. Not used by production code.
import { randomUUID } from 'node:crypto';
import { compileSchema, PLUGIN_SCHEMAS, type Resource } from '@portico/shared';
import { PluginRuntime } from '../plugins/runtime.js';
import { startProxy, type RunningProxy } from '../proxy/test-support.js';
import { compile, liveCacheNamespaces } from './compile.js';
import type { CompiledConfig } from './types.js';

type Over = Record<string, unknown>;
const ts = { created_at: 1, updated_at: 1 };

export const uuid = (): string => randomUUID();

export function service(id: string, over: Over = {}): Resource {
  const body = {
    id, ...ts, name: null, enabled: true, retries: 5, protocol: 'http', host: '127.0.0.1', port: 80, path: null,
    connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, tags: null, client_certificate: null,
    tls_verify: null, tls_verify_depth: null, ca_certificates: null, ...over,
  };
  return { type: 'services', id, body: JSON.stringify(body) };
}

export function route(id: string, serviceId: string | null, over: Over = {}): Resource {
  const body = {
    id, ...ts, name: null, protocols: ['http', 'https'], methods: null, hosts: null, paths: ['/'], headers: null,
    https_redirect_status_code: 426, regex_priority: 0, strip_path: true, path_handling: 'v0', preserve_host: false,
    request_buffering: true, response_buffering: true, snis: null, sources: null, destinations: null, tags: null,
    service: serviceId === null ? null : { id: serviceId }, ...over,
  };
  return { type: 'routes', id, body: JSON.stringify(body) };
}

export function consumer(id: string, over: Over = {}): Resource {
  return { type: 'consumers', id, body: JSON.stringify({ id, ...ts, username: null, custom_id: null, tags: null, ...over }) };
}

export function keyAuthCredential(id: string, consumerId: string, key: string): Resource {
  return { type: 'keyauth_credentials', id, body: JSON.stringify({ id, created_at: 1, consumer: { id: consumerId }, key, tags: null }) };
}

export interface PluginScope {
  route?: string;
  service?: string;
  consumer?: string;
  enabled?: boolean;
  protocols?: string[];
}

/** A plugin with its config completed by the plugin's shared schema (as the admin API stores it). */
export function plugin(id: string, name: string, config: Over, scope: PluginScope = {}): Resource {
  const def = PLUGIN_SCHEMAS.get(name);
  let full: unknown = config;
  if (def !== undefined) {
    const r = compileSchema(def.config).check(config);
    if (!r.ok) throw new Error(`fixture config for ${name} is invalid: ${JSON.stringify(r.error)}`);
    full = r.value;
  }
  const body = {
    id, name, instance_name: null, ...ts,
    route: scope.route === undefined ? null : { id: scope.route },
    service: scope.service === undefined ? null : { id: scope.service },
    consumer: scope.consumer === undefined ? null : { id: scope.consumer },
    config: full, protocols: scope.protocols ?? ['grpc', 'grpcs', 'http', 'https'], enabled: scope.enabled ?? true, tags: null, ordering: null,
  };
  return { type: 'plugins', id, body: JSON.stringify(body) };
}

export function upstream(id: string, name: string, over: Over = {}): Resource {
  const body = {
    id, ...ts, name, algorithm: 'round-robin', hash_on: 'none', hash_fallback: 'none', hash_on_header: null,
    hash_fallback_header: null, hash_on_cookie: null, hash_on_cookie_path: '/', hash_on_query_arg: null,
    hash_fallback_query_arg: null, hash_on_uri_capture: null, hash_fallback_uri_capture: null, slots: 10000,
    healthchecks: {
      active: {
        type: 'http', timeout: 1, concurrency: 10, http_path: '/', https_sni: null, https_verify_certificate: true, headers: null,
        healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
        unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
      },
      passive: {
        type: 'http',
        healthy: { http_statuses: [200, 201], successes: 0 },
        unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 },
      },
      threshold: 0,
    },
    tags: null, host_header: null, client_certificate: null, use_srv_name: false, ...over,
  };
  return { type: 'upstreams', id, body: JSON.stringify(body) };
}

export function target(id: string, upstreamId: string, address: string, weight = 100): Resource {
  return { type: 'targets', id, body: JSON.stringify({ id, created_at: 1, updated_at: 1, upstream: { id: upstreamId }, target: address, weight, tags: null }) };
}

/** A proxy whose config comes from compile(); `apply` swaps in a new snapshot the way main.ts does. */
export interface CompiledProxy extends RunningProxy {
  readonly runtime: PluginRuntime;
  apply(resources: Resource[]): CompiledConfig;
}

let version = 0;

export async function startCompiledProxy(resources: Resource[], runtime = new PluginRuntime()): Promise<CompiledProxy> {
  const px = await startProxy(compile({ version: ++version, hash: 'h', resources }, undefined, runtime));
  return {
    ...px,
    runtime,
    apply(next) {
      const config = compile({ version: ++version, hash: 'h', resources: next }, px.cell.current ?? undefined, runtime);
      px.cell.current = config;
      runtime.retain(config.pluginIds, liveCacheNamespaces(config)); // as main.ts does after a swap
      return config;
    },
    close: async () => {
      await px.close();
      await runtime.close();
    },
  };
}
