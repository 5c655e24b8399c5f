import { Module } from '@nestjs/common';
import { AcpxCliDriver } from './acpx-cli-driver';
import { AcpxDriver } from './acpx-driver';
import { ChildProcessRunner } from './child-process-runner';
import { ClaudeCliRunner } from './claude-cli-runner';
import { ClaudeRunner } from './claude-runner';
import { ProcessRunner } from './process-runner';

@Module({
  providers: [
    { provide: ProcessRunner, useClass: ChildProcessRunner },
    { provide: ClaudeRunner, useClass: ClaudeCliRunner },
    { provide: AcpxDriver, useClass: AcpxCliDriver },
  ],
  exports: [ProcessRunner, ClaudeRunner, AcpxDriver],
})
export class RunnersModule {}
