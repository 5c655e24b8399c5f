import { Module } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import { AcpxCliDriver } from './acpx-cli-driver';
import { AgentConfinement } from './agent-confinement';
import { AcpxDriver } from './acpx-driver';
import { ChildProcessRunner } from './child-process-runner';
import { ClaudeCliRunner } from './claude-cli-runner';
import { ClaudeRunner } from './claude-runner';
import { ProcessRunner } from './process-runner';

@Module({
  providers: [
    { provide: ProcessRunner, useClass: ChildProcessRunner },
    { provide: AgentConfinement, inject: [AppConfig, ProcessRunner], useFactory: AgentConfinement.create },
    { provide: ClaudeRunner, useClass: ClaudeCliRunner },
    { provide: AcpxDriver, useClass: AcpxCliDriver },
  ],
  exports: [ProcessRunner, ClaudeRunner, AcpxDriver, AgentConfinement],
})
export class RunnersModule {}
