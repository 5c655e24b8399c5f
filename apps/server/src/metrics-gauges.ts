import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Metrics } from '@clawdforge/metrics';
import { RunQueue } from '@clawdforge/run';
import { AcpxDriver, ClaudeWarmPool, LoginPool, ProcessRunner } from '@clawdforge/runners';
import { SessionsService } from '@clawdforge/sessions';
import { ToolBridge } from '@clawdforge/tools';

/**
 * Gives the gauges their sources here, the one place that sees run, runners and sessions:
 * libs/metrics sits below all three and imports none of them.
 */
@Injectable()
export class MetricsGauges implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly processes: ProcessRunner,
    private readonly pool: ClaudeWarmPool,
    private readonly acpx: AcpxDriver,
    private readonly logins: LoginPool,
    private readonly moduleRef: ModuleRef,
    private readonly sessions: SessionsService,
    private readonly tools: ToolBridge,
  ) {}

  onModuleInit(): void {
    // RunModule keeps its queue to itself (it exports nothing), hence the look-up across modules.
    const queue = this.moduleRef.get(RunQueue, { strict: false });
    this.metrics.gauge('clawdforge_run_queue_depth', () => queue.waiting);
    this.metrics.gauge('clawdforge_runs_running', () => queue.running);
    this.metrics.gauge('clawdforge_cli_children', () => this.processes.running);
    this.metrics.gauge('clawdforge_warm_spares', () => this.pool.spares);
    this.metrics.gauge('clawdforge_warm_session_clients', () => this.acpx.spareClients);
    this.metrics.loginGauges(() => this.logins.states().map((login) => ({ label: login.label, runsInFlight: login.runs_in_flight, cooling: login.cooling_until !== null })));
    this.metrics.gauge('clawdforge_sessions_open', () => this.sessions.openCount());
    this.metrics.gauge('clawdforge_tool_runs_running', () => this.tools.running);
    this.metrics.gauge('clawdforge_tool_runs_parked', () => this.tools.parked);
  }
}
