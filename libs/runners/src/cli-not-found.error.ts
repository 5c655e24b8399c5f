import * as path from 'node:path';
import { HttpStatus } from '@nestjs/common';
import { ApiError } from '@clawdforge/core';

/** The configured executable is missing or not executable. Names only its basename. */
export class CliNotFoundError extends ApiError {
  constructor(command: string) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'cli_not_found', `${path.basename(command)} CLI is not installed or not executable`);
  }
}
