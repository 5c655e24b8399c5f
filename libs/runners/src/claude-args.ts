import type { ClaudeRunRequest } from './claude-runner';

export type RunToolPolicy = 'none' | 'read-only';

/** Read-only built-ins; with permission mode dontAsk, a read outside the run's directory is refused, not asked about. */
const READ_ONLY_TOOLS = 'Read,Grep,Glob';

/**
 * argv for one `claude -p` run. Every value travels glued to its flag (`--model=x`) so no value,
 * however hostile, can be read as a flag of its own; the prompt is never in argv (it goes on stdin
 * as a stream-json user message, which also carries attachments as content blocks). Settings, MCP
 * servers, slash commands and session files are all switched off, so nothing on the host or in
 * the run directory shapes the run beyond these flags.
 */
export function buildClaudeArgs(request: Pick<ClaudeRunRequest, 'model' | 'system' | 'jsonSchema' | 'maxBudgetUsd'>, tools: RunToolPolicy, partialMessages = false): string[] {
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
    `--tools=${tools === 'none' ? '' : READ_ONLY_TOOLS}`,
    '--permission-mode=dontAsk',
  ];
  if (partialMessages) args.push('--include-partial-messages');
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
