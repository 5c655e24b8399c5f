#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { ConfigError } from '@clawdforge/core';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  // A pager or `head` that stops reading ends the output quietly, not in a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  try {
    await CommandFactory.run(CliModule, {
      logger: false,
      // Rethrow start-up errors (a bad configuration) so they print as one line below.
      abortOnError: false,
      errorHandler: (error) => {
        process.stderr.write(`clawdforge: ${error.message}\n`);
        process.exit(2);
      },
    });
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : `failed: ${(error as Error).message}`;
    process.stderr.write(`clawdforge: ${message}\n`);
    process.exit(1);
  }
}

void main();
