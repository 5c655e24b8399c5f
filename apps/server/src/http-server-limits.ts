import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorCode, NOT_ORIGIN_FORM } from '@clawdforge/core';

/** A client must send its whole header block within this. */
export const HEADERS_TIMEOUT_MS = 20_000;
/** And its whole request within this: an upload of FILES_MAX_BYTES over a slow link fits. */
export const REQUEST_TIMEOUT_MS = 300_000;
/** An idle keep-alive connection is closed after this (Node's default, stated). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A connection that sends nothing at all is closed after this. */
export const FIRST_BYTE_TIMEOUT_MS = 10_000;

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' };
const CODE_FOR: Record<number, ErrorCode> = { 400: 'invalid_request', 408: 'request_timeout', 413: 'payload_too_large', 431: 'headers_too_large' };

/**
 * Limits a slow or silent client cannot outlast, and JSON answers for what Node's HTTP parser
 * refuses before any route runs (a malformed request line, headers past the limit, a timeout),
 * in the same envelope as every other error.
 */
export function limitHttpServer(server: Server): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('connection', (socket: Socket) => {
    // Node checks headersTimeout only every 30 s; a silent socket goes sooner this way. The
    // first request clears it (a long run may legitimately send nothing for minutes).
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
  });
  server.on('request', (req) => req.socket.setTimeout(0));
  server.on('clientError', (error: NodeJS.ErrnoException & { code?: string }, socket: Socket) => {
    if (!socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
    answerAndClose(socket, status, STATUS_TEXT[status].toLowerCase());
  });
  // CONNECT never reaches Express (Node hands it to 'connect', and without a listener drops the
  // connection unanswered): its target is a host and port, and this server opens no tunnels.
  server.on('connect', (_req, socket: Socket) => answerAndClose(socket, 400, NOT_ORIGIN_FORM));
}

function answerAndClose(socket: Socket, status: number, message: string): void {
  const body = JSON.stringify({ ok: false, error: { code: CODE_FOR[status], message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}
