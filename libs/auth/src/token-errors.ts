import { ConflictError, NotFoundError } from '@clawdforge/core';

export class TokenNotFoundError extends NotFoundError {
  constructor(name: string) {
    super('token_not_found', `no token named "${name}"`);
  }
}

export class TokenNameTakenError extends ConflictError {
  constructor(name: string) {
    super('token_name_taken', `a live token named "${name}" already exists; revoke it first to rotate`);
  }
}
