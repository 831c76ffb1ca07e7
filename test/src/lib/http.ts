// Small HTTP helpers for tests: admin calls, upstream servers, polling.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = any>(): T;
}

export async function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const hasBody = body !== undefined;
  const res = await request(url, {
    method: method as 'GET',
    headers: hasBody && typeof body !== 'string' ? { 'content-type': 'application/json', ...headers } : headers,
    body: hasBody ? (typeof body === 'string' ? body : JSON.stringify(body)) : null,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text, json: () => JSON.parse(text) };
}

/** The config version a write produced (header X-Portico-Config-Version). */
export const writtenVersion = (r: Reply): number => Number(r.headers['x-portico-config-version']);

export interface Upstream {
  server: Server;
  url: string;
  port: number;
  hits: number;
  close(): Promise<void>;
}

/** A real HTTP upstream answering `{upstream: name, path}` (plus optional delay). */
export async function startUpstream(name: string, opts: { delayMs?: number; port?: number } = {}): Promise<Upstream> {
  const u: Upstream = {
    hits: 0,
  } as Upstream;
  const server = createServer((req, res) => {
    u.hits++;
    req.resume();
    req.on('end', () => {
      const send = () => {
        const body = JSON.stringify({ upstream: name, path: req.url, host: req.headers.host });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (opts.delayMs) setTimeout(send, opts.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  Object.assign(u, {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return u;
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs = 10_000, what = 'condition', intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until the data plane's status listener reports config_version ≥ `version`. */
export function waitForVersion(statusUrl: string, version: number, timeoutMs = 10_000): Promise<unknown> {
  return eventually(
    async () => {
      const r = await http('GET', `${statusUrl}/status`);
      return r.status === 200 && (r.json<{ config_version: number }>().config_version ?? 0) >= version;
    },
    timeoutMs,
    `${statusUrl} to apply version ${version}`,
  );
}

/**
 * An admin write that must succeed (200/201), then waits until every data
 * plane whose status URL is given serves the version it produced.
 */
export async function writeLive(admin: string, statusUrls: readonly string[], method: string, path: string, body: unknown): Promise<Reply> {
  const r = await http(method, `${admin}${path}`, body);
  if (r.status !== 200 && r.status !== 201) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
  await Promise.all(statusUrls.map((s) => waitForVersion(s, writtenVersion(r))));
  return r;
}
