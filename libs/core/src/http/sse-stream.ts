import type { Request, Response } from 'express';
import { describeError } from '../errors/api-exception.filter';
import type { AuditFields } from './request-context';

const HEARTBEAT_MS = 15_000;

/** Whether a request asked for Server-Sent Events: `Accept: text/event-stream` or `"stream": true`. */
export function wantsEventStream(req: Request, body: { stream?: boolean }): boolean {
  return body.stream === true || (req.headers.accept ?? '').includes('text/event-stream');
}

/**
 * One Server-Sent Events response: opened lazily (so errors before the first event can still be
 * plain JSON answers), a heartbeat comment while idle, and each event written straight to the socket.
 */
export class SseStream {
  private heartbeat?: NodeJS.Timeout;

  /** `heartbeatFrame`: what an idle stream sends every `heartbeatMs` (a comment unless the wire format wants an event). */
  constructor(
    private readonly res: Response,
    private readonly heartbeatMs = HEARTBEAT_MS,
    private readonly heartbeatFrame = ': ping\n\n',
  ) {}

  get opened(): boolean {
    return this.res.headersSent;
  }

  open(): void {
    if (this.opened) return;
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('Connection', 'keep-alive');
    // Proxies such as nginx would otherwise hold events back in their buffers.
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
    this.heartbeat = setInterval(() => this.res.write(this.heartbeatFrame), this.heartbeatMs);
    this.heartbeat.unref();
    this.res.once('close', () => clearInterval(this.heartbeat));
  }

  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** One frame as the wire format spells it (a data-only frame, say), ending in a blank line. */
  write(frame: string): void {
    this.open();
    if (!this.res.writableEnded) this.res.write(frame);
  }

  end(): void {
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }
}

/**
 * Runs work that streams into `stream`, then sends its outcome: one `result` event, or one `error`
 * event (recorded in the audit fields) when the failure comes after the stream opened. A failure
 * before that is thrown, to be answered as ordinary JSON.
 */
export async function streamTo(stream: SseStream, req: Request, audit: AuditFields, work: () => Promise<unknown>): Promise<void> {
  try {
    stream.send('result', await work());
  } catch (error) {
    if (!stream.opened) throw error;
    const { body } = describeError(error, req);
    audit.errorCode ??= body.error.code;
    stream.send('error', body);
  } finally {
    if (stream.opened) stream.end();
  }
}
