import { ApiError } from './api-error';
import { ErrorCodeWithStatus } from './error-codes';

/** The request names a field whose value is not acceptable. */
export class InvalidRequestError extends ApiError {
  constructor(message: string, field?: string, code: ErrorCodeWithStatus<400> = 'invalid_request') {
    super(code, message, field);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(code: ErrorCodeWithStatus<401>, message: string) {
    super(code, message, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends ApiError {
  constructor(code: ErrorCodeWithStatus<403>, message: string) {
    super(code, message);
  }
}

export class NotFoundError extends ApiError {
  constructor(code: ErrorCodeWithStatus<404>, message: string) {
    super(code, message);
  }
}

export class ConflictError extends ApiError {
  constructor(code: ErrorCodeWithStatus<409>, message: string) {
    super(code, message);
  }
}
