import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { appVersion, DatabaseProbe } from '@clawdforge/core';
import { AuditService } from '@clawdforge/audit';
import { Public } from '@clawdforge/auth';
import { AcpxDriver, AgentConfinement, ClaudeWarmPool, LoginPool, ProcessRunner } from '@clawdforge/runners';
import { ToolBridge } from '@clawdforge/tools';
import { CliVersionsService } from './cli-versions.service';
import { HealthResponse } from './dto/health-response.dto';

@ApiTags('health')
@Controller('healthz')
export class HealthController {
  constructor(
    private readonly versions: CliVersionsService,
    private readonly confinement: AgentConfinement,
    private readonly audit: AuditService,
    private readonly processes: ProcessRunner,
    private readonly pool: ClaudeWarmPool,
    private readonly acpx: AcpxDriver,
    private readonly logins: LoginPool,
    private readonly db: DatabaseProbe,
    private readonly tools: ToolBridge,
  ) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Liveness, CLI presence and versions, the claude login, database reachability',
    description:
      'CLI versions and the login come from a background probe (refreshed every HEALTH_PROBE_INTERVAL_SECS); this route never spawns a process. ' +
      '`ok` is false when the database does not answer; a missing claude login shows as `claude_logged_in: false` and does not fail the route.',
  })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: 'the database does not answer' })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const dbOk = await this.db.answers();
    if (!dbOk) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    const login = this.versions.claudeLogin;
    return {
      ok: dbOk,
      version: appVersion(),
      claude_present: this.versions.claude.present,
      claude_version: this.versions.claude.version,
      claude_logged_in: login.loggedIn,
      claude_login: login.loggedIn && login.method !== null ? { method: login.method, expires_at: login.expiresAt } : null,
      acpx_present: this.versions.acpx.present,
      acpx_version: this.versions.acpx.version,
      db_ok: dbOk,
      agents: this.confinement.status(),
      audit_write_failures: this.audit.failedRows,
      cli_children: this.processes.running,
      claude_logins: this.logins.states().map((state, i) => ({ ...state, logged_in: this.versions.claudeLogins[i]?.loggedIn ?? false })),
      warm_pool: { spares: this.pool.spares, warm_runs: this.pool.counts.hits, cold_runs: this.pool.counts.misses, session_clients: this.acpx.spareClients },
      tool_runs: { running: this.tools.running, parked: this.tools.parked },
    };
  }
}
