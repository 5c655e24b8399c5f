import { ApiProperty } from '@nestjs/swagger';
import { ConfinementStatus, SESSION_PERMISSION_VALUES } from '@clawdforge/runners';

export class AgentsHealth implements ConfinementStatus {
  @ApiProperty({ enum: ['restricted'], description: 'File tools of runs and sessions are confined to their own directory' }) file_tools: 'restricted';
  @ApiProperty({ enum: SESSION_PERMISSION_VALUES, example: 'approve-reads' }) session_permissions: ConfinementStatus['session_permissions'];
  @ApiProperty({ enum: ['bwrap', 'none', 'not_needed'], description: 'The OS sandbox around approve-all’s shell', example: 'not_needed' })
  shell_sandbox: ConfinementStatus['shell_sandbox'];
  @ApiProperty({ description: 'True when agents have a shell with no OS sandbox (ALLOW_UNSANDBOXED_AGENTS=1)', example: false }) unsandboxed_agents: boolean;
}

export class ClaudeLoginHealth {
  @ApiProperty({ description: 'How claude is logged in, as `claude auth status` names it', example: 'claude.ai' }) method: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the login expires, if the CLI says', example: null }) expires_at: string | null;
}

export class WarmPoolHealth {
  @ApiProperty({ description: 'claude processes started ahead of demand, waiting for a run (RUN_WARM_POOL)', example: 1 }) spares: number;
  @ApiProperty({ description: 'Runs since start served by a waiting spare', example: 12 }) warm_runs: number;
  @ApiProperty({ description: 'Runs since start that found no spare of their configuration and started their own process', example: 3 }) cold_runs: number;
  @ApiProperty({ description: '`acpx prompt` clients started ahead, one per open session, waiting for its next turn (SESSION_WARM_CLIENTS)', example: 2 })
  session_clients: number;
}

export class ToolRunsHealth {
  @ApiProperty({ description: '/v1 runs with client tools between a request and its answer', example: 1 }) running: number;
  @ApiProperty({ description: '/v1 runs with client tools waiting for the client’s tool results (each ends after TOOL_PARK_SECS)', example: 2 }) parked: number;
}

export class LoginHealth {
  @ApiProperty({ example: 0 }) index: number;
  @ApiProperty({ description: 'The label given in CLAUDE_CONFIG_DIRS (`default` for the one login)', example: 'default' }) label: string;
  @ApiProperty({ example: true }) logged_in: boolean;
  @ApiProperty({ example: 0 }) runs_in_flight: number;
  @ApiProperty({ nullable: true, type: String, description: 'Until when the login gets no runs, after it hit a rate or usage limit', example: null })
  cooling_until: string | null;
}

export class HealthResponse {
  @ApiProperty({ example: true }) ok: boolean;
  @ApiProperty({ example: '0.3.0' }) version: string;
  @ApiProperty({ example: true }) claude_present: boolean;
  @ApiProperty({ nullable: true, type: String, example: '2.1.331 (Claude Code)' }) claude_version: string | null;
  @ApiProperty({ description: 'Whether claude has a login (an API key in the environment, or `claude /login`); false does not make this route fail', example: true })
  claude_logged_in: boolean;
  @ApiProperty({ nullable: true, type: ClaudeLoginHealth, description: 'null when not logged in' }) claude_login: ClaudeLoginHealth | null;
  @ApiProperty({ example: true }) acpx_present: boolean;
  @ApiProperty({ nullable: true, type: String, example: '0.19.1' }) acpx_version: string | null;
  @ApiProperty({ example: true }) db_ok: boolean;
  @ApiProperty({ type: AgentsHealth }) agents: AgentsHealth;
  @ApiProperty({ description: 'Audit rows that could not be written since start (a full disk, a read-only database); the requests were answered all the same', example: 0 })
  audit_write_failures: number;
  @ApiProperty({ description: 'CLI child processes alive now, warm spares included', example: 1 }) cli_children: number;
  @ApiProperty({ type: () => WarmPoolHealth }) warm_pool: WarmPoolHealth;
  @ApiProperty({ type: () => ToolRunsHealth }) tool_runs: ToolRunsHealth;
  @ApiProperty({ type: () => [LoginHealth], description: 'Each Claude login runs are spread over (CLAUDE_CONFIG_DIRS), by index and label' })
  claude_logins: LoginHealth[];
}
