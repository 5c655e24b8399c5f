import { ArgumentsHost, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { describeError, requestContext } from '@clawdforge/core';

export type WireFormat = 'openai' | 'anthropic';

/** A clawdforge error as one wire format's body, with its status and headers. */
export interface WireError {
  status: number;
  code: string;
  body: unknown;
  headers: Record<string, string>;
}

const logger = new Logger('CompatError');
const RUN_STARTED = 'compatRunStarted';

/** Marks the response as belonging to a run the CLI has started: a 5xx after that must not be retried by the SDK. */
export function markRunStarted(res: Response): void {
  res.locals[RUN_STARTED] = true;
}

/** The audit id in both headers the SDKs read it from (`x-request-id` is set for every request already). */
export function echoRequestId(req: Request, res: Response): void {
  const id = requestContext(req).requestId;
  if (id !== null && !res.headersSent) res.setHeader('request-id', id);
}

export function wireError(exception: unknown, req: Request, res: Response, format: WireFormat): WireError {
  const { status, body, headers } = describeError(exception, req, logger);
  const { code, message, field } = body.error;
  const out = { ...headers };
  // The SDKs retry 5xx and 429 by default; a second attempt after a started run would bill a second run.
  if (code === 'budget_exceeded' || (status >= 500 && res.locals[RUN_STARTED] === true)) out['x-should-retry'] = 'false';
  const wire =
    format === 'openai'
      ? { error: { message, type: openAiType(status, code), param: field ?? null, code } }
      : { type: 'error', error: { type: anthropicType(status), message } };
  return { status, code, body: wire, headers: out };
}

/** Answers `exception` in the wire format, or ends a stream whose headers are already out. */
export function sendWireError(exception: unknown, host: ArgumentsHost, format: WireFormat): void {
  answerWireError(exception, host.switchToHttp().getRequest<Request>(), host.switchToHttp().getResponse<Response>(), format);
}

export function answerWireError(exception: unknown, req: Request, res: Response, format: WireFormat): void {
  const error = wireError(exception, req, res, format);
  res.locals.errorCode = error.code;
  if (res.headersSent) {
    res.end();
    return;
  }
  echoRequestId(req, res);
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).json(error.body);
}

function openAiType(status: number, code: string): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return code === 'budget_exceeded' ? 'insufficient_quota' : 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function anthropicType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
