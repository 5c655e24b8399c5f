import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { finalize, from, Observable, switchMap } from 'rxjs';
import { requestContext } from '@clawdforge/core';
import { InterruptedByCrashError, REPLAYED_HEADER } from './idempotency-errors';
import { IdempotencyService, KeptAnswer } from './idempotency.service';
import { AnswerHead, LiveAnswer } from './live-answers';

/** The answer's headers a retry is given again: what the answer is, and the gateway's own. */
const KEPT_HEADERS = /^(content-type|location|retry-after|x-clawdforge-.*)$/;
/** Once the handler is done and the connection closed, how long the answer may still take to end before it is taken as it is. */
const LATE_END_MS = 1000;

/**
 * `Idempotency-Key` on a route (see IdempotencyService). The first request with a key is served as
 * usual, its answer copied as it is written; its work is no longer stopped when its client goes
 * away, since a retry is to get its answer. A retry is answered from that copy, with
 * `Idempotent-Replayed: true`, without reaching the handler: nothing runs, nothing is billed.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = this.idempotency.keyOf(req.headers['idempotency-key']);
    const tokenId = requestContext(req).tokenId;
    if (key === undefined || tokenId === null) return next.handle();
    // An upload (received before this, see FilesController) is the same when its bytes are.
    const upload = req.file as { sha256?: string; originalname?: string } | undefined;
    const body = upload ? { fields: req.body as unknown, file: { sha256: upload.sha256, name: upload.originalname } } : (req.body as unknown);
    const shape = { method: req.method, path: req.path, accept: req.headers.accept ?? '', body };
    return from(this.idempotency.begin(tokenId, key, shape)).pipe(
      switchMap((outcome) => {
        switch (outcome.kind) {
          case 'interrupted':
            throw new InterruptedByCrashError();
          case 'kept':
            replay(req, res, outcome.answer);
            return from(Promise.resolve(undefined));
          case 'live':
            return from(follow(req, res, outcome.live));
          case 'first': {
            const done = capture(res, outcome.live, () => void this.idempotency.finish(tokenId, key, outcome.live));
            return next.handle().pipe(finalize(done));
          }
        }
      }),
    );
  }
}

/** The kept answer, as it was. */
function replay(req: Request, res: Response, answer: KeptAnswer): void {
  requestContext(req).audit.replayed = true;
  writeHead(res, answer);
  res.end(answer.body);
}

/** What the first request has written so far, then the rest as it is written (a stream, live). */
function follow(req: Request, res: Response, live: LiveAnswer): Promise<void> {
  requestContext(req).audit.replayed = true;
  return new Promise((resolve) => {
    const stop = live.follow({
      head: (head) => {
        writeHead(res, head);
        res.flushHeaders();
      },
      chunk: (chunk) => res.write(chunk),
      end: () => {
        res.end();
        resolve();
      },
    });
    res.once('close', () => {
      stop();
      resolve();
    });
  });
}

function writeHead(res: Response, head: AnswerHead): void {
  res.status(head.status);
  for (const [name, value] of Object.entries(head.headers)) res.setHeader(name, value);
  res.setHeader(REPLAYED_HEADER, 'true');
}

/**
 * Copies what is written to `res` into `live` as it is written, and calls `finished` once, when the
 * answer ends. A client that went away no longer receives it, but it is still copied. Returns what
 * to call when the handler is done.
 */
function capture(res: Response, live: LiveAnswer, finished: () => void): () => void {
  res.locals.workOutlivesClient = true;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  let over = false;
  const record = (chunk: unknown, encoding: unknown) => {
    live.started({ status: res.statusCode, headers: keptHeaders(res) });
    if (typeof chunk === 'string') live.wrote(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) live.wrote(Buffer.from(chunk));
  };
  const close = () => {
    if (over) return;
    over = true;
    live.end();
    finished();
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    record(chunk, rest[0]);
    return res.destroyed ? true : write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((...args: unknown[]) => {
    const [chunk, encoding] = args;
    if (chunk !== undefined && typeof chunk !== 'function') record(chunk, encoding);
    else live.started({ status: res.statusCode, headers: keptHeaders(res) });
    close();
    return res.destroyed ? res : end(...args);
  }) as Response['end'];
  // An answer that never ends (its client gone, and the handler gave up writing it) is taken as it is,
  // once both the handler is done and the connection closed; an answer still coming (a forwarded
  // turn waiting for its owner's first byte) is waited for.
  let handlerDone = false;
  let connectionClosed = false;
  const late = () => {
    if (handlerDone && connectionClosed) setTimeout(close, LATE_END_MS).unref();
  };
  res.once('close', () => {
    connectionClosed = true;
    late();
  });
  return () => {
    handlerDone = true;
    late();
  };
}

function keptHeaders(res: Response): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (KEPT_HEADERS.test(name) && value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return kept;
}
