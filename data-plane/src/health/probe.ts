// One active health probe of one target, on a fresh connection (Kong opens
// one per probe): an HTTP(S) GET of http_path judged by its status, or a TCP
// connect. Resolves with an Outcome and never rejects.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, isIP } from 'node:net';
import { Outcome, type ActiveConfig } from './config.js';

export interface ProbeTarget {
  /** Host as dialled; IPv6 in brackets. */
  readonly host: string;
  readonly port: number;
}

export interface ProbeResult {
  readonly outcome: Outcome;
  /** HTTP status, or the error code: for logs. */
  readonly detail: string;
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'PORTICO_PROBE_TIMEOUT']);

const bare = (host: string): string => (host.startsWith('[') ? host.slice(1, -1) : host);

export function probe(t: ProbeTarget, cfg: ActiveConfig, signal: AbortSignal): Promise<ProbeResult> {
  return cfg.type === 'tcp' ? probeTcp(t, cfg, signal) : probeHttp(t, cfg, signal);
}

function probeTcp(t: ProbeTarget, cfg: ActiveConfig, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: bare(t.host), port: t.port, signal });
    const done = (r: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ outcome: Outcome.TIMEOUT, detail: 'timeout' }), cfg.timeoutMs);
    socket.once('connect', () => done({ outcome: Outcome.SUCCESS, detail: 'connected' }));
    socket.once('error', (err: NodeJS.ErrnoException) => done(signal.aborted ? { outcome: Outcome.NEUTRAL, detail: 'aborted' } : { outcome: Outcome.TCP_FAILURE, detail: err.code ?? 'error' }));
  });
}

function probeHttp(t: ProbeTarget, cfg: ActiveConfig, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const host = bare(t.host);
    const headers: Record<string, string | string[]> = { ...cfg.headers, host: t.port === (cfg.type === 'https' ? 443 : 80) ? t.host : `${t.host}:${t.port}`, connection: 'close' };
    const options = { host, port: t.port, method: 'GET', path: cfg.httpPath, headers, agent: false as const, signal };
    let req: ClientRequest;
    let settled = false;
    const done = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    // One deadline for connect + response head, as Kong's probe timeout.
    const timer = setTimeout(() => done({ outcome: Outcome.TIMEOUT, detail: 'timeout' }), cfg.timeoutMs);
    const onResponse = (res: IncomingMessage): void => {
      const status = res.statusCode ?? 0;
      res.resume();
      done({ outcome: (cfg.statuses[status] ?? Outcome.NEUTRAL) as Outcome, detail: String(status) });
    };
    req =
      cfg.type === 'https'
        ? httpsRequest({ ...options, rejectUnauthorized: cfg.verifyCertificate, ...(cfg.httpsSni !== null ? { servername: cfg.httpsSni } : isIP(host) === 0 ? { servername: host } : {}) }, onResponse)
        : httpRequest(options, onResponse);
    req.once('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) return done({ outcome: Outcome.NEUTRAL, detail: 'aborted' });
      const code = err.code ?? 'error';
      done({ outcome: TIMEOUT_CODES.has(code) ? Outcome.TIMEOUT : Outcome.TCP_FAILURE, detail: code });
    });
    req.end();
  });
}
