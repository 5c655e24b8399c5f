import { HttpStatus } from '@nestjs/common';

/**
 * An error a client is meant to see. The exception filter turns it into
 * `{"ok":false,"error":{"code","message"}}` with its status; anything else becomes a bare 500.
 */
export class ApiError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
