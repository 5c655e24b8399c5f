import { Module } from '@nestjs/common';
import * as path from 'node:path';
import { AppConfig } from '@clawdforge/core';
import { AcpxCliDriver } from './acpx-cli-driver';
import { AgentConfinement } from './agent-confinement';
import { AcpxDriver } from './acpx-driver';
import { ChildProcessRunner } from './child-process-runner';
import { ChildRegistry } from './child-registry';
import { ClaudeCliRunner } from './claude-cli-runner';
import { ClaudeRunner } from './claude-runner';
import { ClaudeStateDirs } from './claude-state';
import { ClaudeWarmPool } from './claude-warm-pool';
import { LoginPool } from './login-pool';
import { ProcessRunner } from './process-runner';
import { RunWorkspace } from './run-workspace';

@Module({
  providers: [
    { provide: ChildRegistry, inject: [AppConfig], useFactory: (config: AppConfig) => new ChildRegistry(path.join(config.paths.dataDir, 'children')) },
    { provide: ProcessRunner, useClass: ChildProcessRunner },
    { provide: AgentConfinement, inject: [AppConfig, ProcessRunner], useFactory: AgentConfinement.create },
    ClaudeStateDirs,
    RunWorkspace,
    ClaudeWarmPool,
    LoginPool,
    { provide: ClaudeRunner, useClass: ClaudeCliRunner },
    { provide: AcpxDriver, useClass: AcpxCliDriver },
  ],
  exports: [ClaudeStateDirs, RunWorkspace, ProcessRunner, ClaudeRunner, ClaudeWarmPool, LoginPool, AcpxDriver, AgentConfinement, ChildRegistry],
})
export class RunnersModule {}
