import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { appVersion } from '@clawdforge/core';
import { AuditService } from '@clawdforge/audit';
import { Public } from '@clawdforge/auth';
import { AgentConfinement, ConfinementStatus, SESSION_PERMISSION_VALUES } from '@clawdforge/runners';
import { CliVersionsService } from './cli-versions.service';

export class AgentsHealth implements ConfinementStatus {
  @ApiProperty({ enum: ['restricted'], description: 'File tools of runs and sessions are confined to their own directory' }) file_tools: 'restricted';
  @ApiProperty({ enum: SESSION_PERMISSION_VALUES, example: 'approve-reads' }) session_permissions: ConfinementStatus['session_permissions'];
  @ApiProperty({ enum: ['bwrap', 'none', 'not_needed'], description: 'The OS sandbox around approve-all’s shell', example: 'not_needed' })
  shell_sandbox: ConfinementStatus['shell_sandbox'];
  @ApiProperty({ description: 'True when agents have a shell with no OS sandbox (ALLOW_UNSANDBOXED_AGENTS=1)', example: false }) unsandboxed_agents: boolean;
}

export class HealthResponse {
  @ApiProperty({ example: true }) ok: boolean;
  @ApiProperty({ example: '0.3.0' }) version: string;
  @ApiProperty({ example: true }) claude_present: boolean;
  @ApiProperty({ nullable: true, type: String, example: '2.1.331 (Claude Code)' }) claude_version: string | null;
  @ApiProperty({ example: true }) acpx_present: boolean;
  @ApiProperty({ nullable: true, type: String, example: '0.19.1' }) acpx_version: string | null;
  @ApiProperty({ example: true }) db_ok: boolean;
  @ApiProperty({ type: AgentsHealth }) agents: AgentsHealth;
  @ApiProperty({ description: 'Audit rows that could not be written since start (a full disk, a read-only database); the requests were answered all the same', example: 0 })
  audit_write_failures: number;
}

@ApiTags('health')
@Controller('healthz')
export class HealthController {
  constructor(
    private readonly versions: CliVersionsService,
    private readonly confinement: AgentConfinement,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Liveness, CLI presence and versions, database reachability',
    description: 'CLI versions come from a background probe (refreshed every HEALTH_PROBE_INTERVAL_SECS); this route never spawns a process. `ok` is false when the database does not answer.',
  })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: 'the database does not answer' })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const dbOk = await this.db.query('SELECT 1').then(
      () => true,
      () => false,
    );
    if (!dbOk) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      ok: dbOk,
      version: appVersion(),
      claude_present: this.versions.claude.present,
      claude_version: this.versions.claude.version,
      acpx_present: this.versions.acpx.present,
      acpx_version: this.versions.acpx.version,
      db_ok: dbOk,
      agents: this.confinement.status(),
      audit_write_failures: this.audit.failedRows,
    };
  }
}
