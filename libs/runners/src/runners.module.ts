import { Module } from '@nestjs/common';
import { ChildProcessRunner } from './child-process-runner';
import { ClaudeCliRunner } from './claude-cli-runner';
import { ClaudeRunner } from './claude-runner';
import { ProcessRunner } from './process-runner';

@Module({
  providers: [
    { provide: ProcessRunner, useClass: ChildProcessRunner },
    { provide: ClaudeRunner, useClass: ClaudeCliRunner },
  ],
  exports: [ProcessRunner, ClaudeRunner],
})
export class RunnersModule {}
