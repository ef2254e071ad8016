import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { renderPrometheus, type MetricsSnapshot } from './metrics';

/** `GET /healthz` and `GET /metrics` on the signaling port; everything else is 404. */
export function createHttpHandler(
  metrics: () => MetricsSnapshot,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      const body = JSON.stringify({ status: 'ok', uptimeSeconds: metrics().uptimeSeconds });
      respond(response, 200, 'application/json; charset=utf-8', body);
    } else if (request.method === 'GET' && path === '/metrics') {
      respond(
        response,
        200,
        'text/plain; version=0.0.4; charset=utf-8',
        renderPrometheus(metrics()),
      );
    } else {
      respond(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  };
}

function respond(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  response.end(body);
}

/** Answers a WebSocket upgrade with a plain HTTP error, which browsers report as a failed connect. */
export function rejectUpgrade(socket: Duplex, status: 403 | 429 | 503): void {
  const body = `${http.STATUS_CODES[status]}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The address a connection budget is charged to. Behind a trusted reverse proxy that is the last
 * X-Forwarded-For entry (the one our proxy appended; earlier entries are client-supplied).
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = request.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') {
    const last = forwarded.split(',').at(-1)?.trim();
    if (last) return normaliseAddress(last);
  }
  return normaliseAddress(request.socket.remoteAddress ?? 'unknown');
}

/** `::ffff:10.0.0.5` and `10.0.0.5` are one client and share one connection budget. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
