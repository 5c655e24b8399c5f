import { ERROR_CODES, ErrorCode } from './error-codes';

/**
 * An error a client is meant to see. The exception filter turns it into
 * `{"ok":false,"error":{"code","message"}}` with its status; anything else becomes a bare 500.
 */
export class ApiError extends Error {
  /** Decided by the code in ERROR_CODES, so one code never answers with two statuses. */
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.status = ERROR_CODES[code];
  }
}
