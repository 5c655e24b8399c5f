import { createHash } from 'node:crypto';
import type { ClientToolResult, ToolCatalog } from '@clawdforge/tools';
import { invalidParam } from './compat-errors';
import type { ChatTurn } from './transcript';

/**
 * A request whose history ends with the results of the assistant's last tool calls: the calls'
 * ids, the results in the client's order, and the history before that assistant message (what
 * the parked run that made the calls was given).
 */
export interface ToolContinuation {
  ids: string[];
  results: ClientToolResult[];
  prefix: ChatTurn[];
}

/**
 * The continuation a history ends with, if it ends with tool results that answer every call of the
 * assistant message before them, and nothing else. Every turn of results in the history, the last
 * or an earlier one, answers only calls the assistant message just before it made, and the last
 * answers all of them; otherwise the request is refused naming the message.
 */
export function continuationOf(turns: ChatTurn[], param: (turnIndex: number) => string): ToolContinuation | undefined {
  turns.forEach((turn, index) => {
    if (turn.toolResults !== undefined) answeredCalls(turns, index, param(index));
  });
  const last = turns.at(-1);
  if (last?.toolResults === undefined) return undefined;
  const calls = answeredCalls(turns, turns.length - 1, param(turns.length - 1));
  const answered = new Set(last.toolResults.map((result) => result.id));
  const missing = calls.find((call) => !answered.has(call.id));
  if (missing !== undefined) throw invalidParam(param(turns.length - 1), `must answer every tool call of the assistant message before it; "${missing.id.slice(0, 80)}" has no result`);
  // Text besides the results (Anthropic lets a user message carry both) cannot reach a parked run: such a history is replayed.
  if (last.blocks.length > 0 || last.name !== undefined) return undefined;
  return { ids: calls.map((call) => call.id), results: last.toolResults, prefix: turns.slice(0, -2) };
}

/** The calls of the assistant message before turn `index`, each of whose results must answer one of them. */
function answeredCalls(turns: ChatTurn[], index: number, at: string): NonNullable<ChatTurn['toolCalls']> {
  const before = turns[index - 1];
  const calls = before?.role === 'assistant' ? (before.toolCalls ?? []) : [];
  const called = new Set(calls.map((call) => call.id));
  for (const result of turns[index].toolResults ?? []) {
    if (!called.has(result.id)) throw invalidParam(at, `answers the tool call "${result.id.slice(0, 80)}", which the assistant message before it did not make`);
  }
  return calls;
}

/** What the history of a request amounts to for a parked run: the model, the system text, the tools and the turns, with tool arguments as parsed JSON. */
export function historyDigest(request: { model: string; system?: string; tools?: ToolCatalog }, turns: ChatTurn[]): string {
  const normal = turns.map((turn) => ({
    role: turn.role,
    name: turn.name ?? null,
    blocks: turn.blocks,
    calls: (turn.toolCalls ?? []).map((call) => [call.id, call.name, parsedOrText(call.arguments)]),
    results: (turn.toolResults ?? []).map((result) => [result.id, result.text, result.isError]),
  }));
  const whole = JSON.stringify({ model: request.model, system: request.system ?? null, tools: request.tools?.digest ?? null, turns: normal });
  return createHash('sha256').update(whole).digest('base64url');
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
