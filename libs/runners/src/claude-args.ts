import type { ClaudeRunRequest } from './claude-runner';

export type RunToolPolicy = 'none' | 'read-only';

/** Read-only built-ins; with permission mode dontAsk, a read outside the run's directory is refused, not asked about. */
const READ_ONLY_TOOLS = 'Read,Grep,Glob';

/** The variable that carries a tool run's bearer to the CLI, which puts it in the MCP server's header: never in argv, which any local user can read. */
export const TOOL_BRIDGE_SECRET_ENV = 'CLAWDFORGE_TOOL_BRIDGE_SECRET';

/**
 * What a run with client tools adds to its environment: the bridge's bearer, and tool search off
 * (with it on, the CLI offers a placeholder tool besides the client's).
 */
export function clientToolsEnv(request: Pick<ClaudeRunRequest, 'clientTools'>): Record<string, string> {
  if (request.clientTools === undefined) return {};
  return { [TOOL_BRIDGE_SECRET_ENV]: request.clientTools.secret, ENABLE_TOOL_SEARCH: 'false' };
}

/** The MCP configuration of a run with client tools: one Streamable HTTP server, its bearer read from the environment, its call timeout. */
function clientToolsArgs(launch: NonNullable<ClaudeRunRequest['clientTools']>): string[] {
  const server = { type: 'http', url: launch.url, headers: { Authorization: `Bearer \${${TOOL_BRIDGE_SECRET_ENV}}` }, timeout: launch.callTimeoutMs };
  return [`--mcp-config=${JSON.stringify({ mcpServers: { [launch.server]: server } })}`, `--allowedTools=mcp__${launch.server}__*`];
}

/**
 * argv for one `claude -p` run. Every value travels glued to its flag (`--model=x`) so no value,
 * however hostile, can be read as a flag of its own; the prompt is never in argv (it goes on stdin
 * as a stream-json user message, which also carries attachments as content blocks). Settings, MCP
 * servers, slash commands and session files are all switched off, so nothing on the host or in
 * the run directory shapes the run beyond these flags. A run with client tools gets exactly one MCP
 * server, the gateway's own, whose tools alone are allowed.
 */
export function buildClaudeArgs(
  request: Pick<ClaudeRunRequest, 'model' | 'system' | 'jsonSchema' | 'maxBudgetUsd' | 'clientTools'>,
  tools: RunToolPolicy,
  partialMessages = false,
): string[] {
  const clientTools = request.clientTools;
  const args = [
    '--print',
    '--input-format=stream-json',
    '--output-format=stream-json',
    '--verbose',
    `--model=${request.model}`,
    '--no-session-persistence',
    '--strict-mcp-config',
    '--setting-sources=',
    '--disable-slash-commands',
    // A run with client tools has those and no other: no built-in tool reaches a /v1 client's model.
    `--tools=${tools === 'none' || clientTools !== undefined ? '' : READ_ONLY_TOOLS}`,
    '--permission-mode=dontAsk',
  ];
  if (clientTools !== undefined) args.push(...clientToolsArgs(clientTools));
  if (partialMessages || clientTools !== undefined) args.push('--include-partial-messages');
  if (request.system !== undefined) args.push(`--system-prompt=${request.system}`);
  if (request.jsonSchema !== undefined) args.push(`--json-schema=${JSON.stringify(request.jsonSchema)}`);
  if (request.maxBudgetUsd !== undefined) args.push(`--max-budget-usd=${coarseBudget(request.maxBudgetUsd)}`);
  return args;
}

/**
 * The budget left, rounded down to two significant figures: never more than what is left, and
 * steady enough from one run to the next that a warm spare started with it can serve the next run
 * (a run stopped for budget by the CLI may leave up to a tenth of the budget unspent).
 */
export function coarseBudget(usd: number): number {
  if (!(usd > 0)) return 0;
  const step = 10 ** (Math.floor(Math.log10(usd)) - 1);
  return Number((Math.floor(usd / step + 1e-9) * step).toPrecision(2));
}
