// The one place the proxy (and every plugin, through plugins/answer.ts)
// writes an answer of its own. Kong's shape: a JSON
// body `{"message": …, "request_id": …}` (Kong 3 adds request_id), Content-Type
// `application/json; charset=utf-8`, Server and a response-latency header.
// The message is the catalog's, never an error's text: nothing internal
// (addresses, stack, upstream error) reaches the client.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ErrorEntry } from '@portico/shared';

const CONTENT_TYPE = 'application/json; charset=utf-8';

/** A request id in nginx's `$request_id` form (32 hex digits). Only error paths pay for it. */
export const newRequestId = (): string => randomUUID().replaceAll('-', '');

function body(message: string, requestId: string): string {
  return JSON.stringify({ message, request_id: requestId });
}

/**
 * Answers `res` with `entry`. When the response has already started (the
 * upstream failed mid-body) there is no honest way to signal the error but
 * to cut the connection, so the socket is destroyed instead.
 */
export function respondError(
  res: ServerResponse,
  entry: ErrorEntry,
  server: string,
  startedAt: number,
  extraHeaders?: readonly string[],
): void {
  respondMessage(res, entry.status, entry.message, server, startedAt, extraHeaders);
}

/**
 * Answers `res` with `{"message": message}` and `status` (Kong's
 * kong.response.error). Plugins reach it through plugins/answer.ts.
 */
export function respondMessage(
  res: ServerResponse,
  status: number,
  message: string,
  server: string,
  startedAt: number,
  extraHeaders?: readonly string[],
  moreHeaders?: readonly string[] | null,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  const requestId = newRequestId();
  const payload = body(message, requestId);
  const headers: string[] = [
    'content-type', CONTENT_TYPE,
    'content-length', String(Buffer.byteLength(payload)),
    'server', server,
    'x-portico-response-latency', String(Math.round(performance.now() - startedAt)),
    'x-portico-request-id', requestId,
  ];
  if (extraHeaders !== undefined) headers.push(...extraHeaders);
  if (moreHeaders != null) headers.push(...moreHeaders);
  res.writeHead(status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

/**
 * Answers a request Node could not parse, straight on the socket (there is
 * no ServerResponse for it), then closes: after a parse error the byte
 * stream cannot be trusted to find the next request.
 */
export function respondClientError(socket: Socket, entry: ErrorEntry, server: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const payload = body(entry.message, newRequestId());
  socket.end(
    `HTTP/1.1 ${entry.status} ${entry.status === 400 ? 'Bad Request' : 'Error'}\r\n` +
      `Content-Type: ${CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n` +
      `Server: ${server}\r\n` +
      'Connection: close\r\n\r\n' +
      payload,
  );
}
