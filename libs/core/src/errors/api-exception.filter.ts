import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestContext, requestLogFields } from '../http/request-context';
import { ApiError } from './api-error';
import { ERROR_CODES, ErrorCode } from './error-codes';

/** The codes a Nest HttpException (no route, a pipe's 400, …) answers with, found by its status. */
const NEST_FALLBACK_CODES: ErrorCode[] = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'too_many_requests',
];
const CODE_BY_STATUS = new Map<number, ErrorCode>(NEST_FALLBACK_CODES.map((code) => [ERROR_CODES[code], code]));

export interface DescribedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

export interface ErrorBody {
  ok: false;
  error: { code: ErrorCode; message: string; field?: string };
}

/**
 * The one place errors become responses: `{"ok":false,"error":{"code","message"}}`.
 * Only ApiError and Nest's HttpException carry their message out; anything else is logged
 * here and answered with a bare 500, so no stack trace, path or secret reaches a client.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const { status, body, headers } = describeError(exception, req, this.logger);
    res.locals.errorCode = body.error.code;
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(status).json(body);
  }
}

/**
 * The status, body and headers an error answers with. Only ApiError and Nest's HttpException carry
 * their message out; anything else is logged and becomes a bare 500.
 */
export function describeError(exception: unknown, req: Request, logger: Logger = new Logger('ApiError')): DescribedError {
  if (exception instanceof ApiError) {
    const error: ErrorBody['error'] = { code: exception.code, message: exception.message };
    if (exception.field !== undefined) error.field = exception.field;
    return { status: exception.status, body: { ok: false, error } as ErrorBody, headers: exception.headers };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = CODE_BY_STATUS.get(status) ?? (status >= 500 ? 'internal_error' : 'http_error');
    const message =
      status === HttpStatus.NOT_FOUND
        ? `no route for ${req.method} ${req.path.slice(0, 200)}`
        : status >= 500
          ? 'internal error'
          : exception.message;
    return { status, body: { ok: false, error: { code, message } } as ErrorBody, headers: {} };
  }
  if (isUnstorableText(exception)) {
    // PostgreSQL refuses a NUL in text (SQLite merely finds nothing): whatever carried it named nothing that exists.
    return { status: 400, body: { ok: false, error: { code: 'invalid_request', message: 'text with a NUL character names nothing here' } } as ErrorBody, headers: {} };
  }
  logger.error(requestLogFields(requestContext(req)), exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { ok: false, error: { code: 'internal_error', message: 'internal error' } } as ErrorBody,
    headers: {},
  };
}

/** PostgreSQL's "invalid byte sequence" (a NUL in text) and "untranslatable character", as the driver or TypeORM reports them. */
function isUnstorableText(exception: unknown): boolean {
  const code = (error: unknown) => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined);
  const driverError = typeof exception === 'object' && exception !== null ? (exception as { driverError?: unknown }).driverError : undefined;
  return [code(exception), code(driverError)].some((value) => value === '22021' || value === '22P05');
}
