import * as path from 'node:path';
import { ApiError } from '@clawdforge/core';

/** The configured executable is missing or not executable. Names only its basename. */
export class CliNotFoundError extends ApiError {
  constructor(command: string) {
    super('cli_not_found', `${path.basename(command)} CLI is not installed or not executable`);
  }
}
