import { HttpStatus } from '@nestjs/common';
import { ApiError } from './api-error';

/** The request names a field whose value is not acceptable. */
export class InvalidRequestError extends ApiError {
  constructor(message: string, field?: string, code = 'invalid_request') {
    super(HttpStatus.BAD_REQUEST, code, message, field);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(code: string, message: string) {
    super(HttpStatus.UNAUTHORIZED, code, message, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends ApiError {
  constructor(code: string, message: string) {
    super(HttpStatus.FORBIDDEN, code, message);
  }
}

export class NotFoundError extends ApiError {
  constructor(code: string, message: string) {
    super(HttpStatus.NOT_FOUND, code, message);
  }
}

export class ConflictError extends ApiError {
  constructor(code: string, message: string) {
    super(HttpStatus.CONFLICT, code, message);
  }
}
