import { REFUSAL_TEXT } from './refusals';

/** Requests acpx sends to the agent; they and their answers are acpx's side of the talk, not the turn's events. */
const CLIENT_TO_AGENT = new Set([
  'initialize',
  'authenticate',
  'session/new',
  'session/load',
  'session/resume',
  'session/prompt',
  'session/cancel',
  'session/set_mode',
  'session/set_model',
  'session/set_config_option',
]);

export type Message = Record<string, unknown> & { id?: unknown; method?: unknown; result?: unknown; error?: unknown };

/** Token counts of a turn, when the agent reports them with the prompt result (the Claude adapter does). */
export interface TurnUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheCreationTokens: number | null;
}

export interface ParsedTurn {
  events: Message[];
  stopReason: string | null;
  text: string;
  /** Token counts, when the agent reports them with the prompt result (the Claude adapter does). */
  usage: TurnUsage;
  /** A JSON-RPC error acpx or the agent reported, if any. */
  error: { code?: number; message?: string; acpxCode?: string } | null;
  /** Tool calls refused during the turn: by a permission rule or confinement, or by acpx's answer to a permission request. */
  toolsRefused: number;
  /** The latest cost the agent reported (ACP usage_update): a running total over its process's life. */
  agentCostUsd: number | null;
}


/**
 * Reads `acpx --format json` output of one prompt, line by line as it arrives: keeps what the
 * agent sent (updates, permission requests and acpx's answers to them, the prompt's result) and
 * drops acpx's own requests (initialize, session/load, session/prompt) and the agent's answers to
 * them. acpx and the agent number their requests independently, so an answer is matched against
 * whichever side has a request with that id still open, and the prompt's result is recognised by
 * `stopReason`.
 */
export class TurnOutputReader {
  private readonly events: Message[] = [];
  private readonly acpxPending = new Map<string, string>();
  private readonly agentPending = new Set<string>();
  private stopReason: string | null = null;
  private error: ParsedTurn['error'] = null;
  private text = '';
  private usage: TurnUsage = { inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheCreationTokens: null };
  private agentCostUsd: number | null = null;
  private readonly refused = new Set<string>();
  /** The agent's open permission requests: which of their options refuse, and for which tool call. */
  private readonly permissionAsks = new Map<string, { toolCallId: string; rejecting: Set<string> }>();

  /** Takes one stdout line; returns the message when it is one of the turn's events. */
  push(line: string): Message | null {
    const message = parseLine(line);
    if (!message || !this.accept(message)) return null;
    this.events.push(message);
    return message;
  }

  turn(): ParsedTurn {
    return { events: this.events, stopReason: this.stopReason, text: this.text, usage: this.usage, error: this.error, toolsRefused: this.refused.size, agentCostUsd: this.agentCostUsd };
  }

  /** A failed tool call that was refused, or a permission request (remembered until acpx answers it). */
  private noteRefusal(message: Message, key: string): void {
    const params = asObject(message.params);
    if (message.method === 'session/request_permission') {
      const toolCallId = asObject(params.toolCall).toolCallId;
      const options = Array.isArray(params.options) ? params.options.map(asObject) : [];
      const rejecting = new Set(options.filter((o) => String(o.kind).startsWith('reject')).map((o) => String(o.optionId)));
      this.permissionAsks.set(key, { toolCallId: String(toolCallId), rejecting });
      return;
    }
    const update = asObject(params.update);
    if (message.method !== 'session/update' || update.sessionUpdate !== 'tool_call_update' || update.status !== 'failed') return;
    const marked = asObject(asObject(update._meta).claudeCode).nonExecutionKind !== undefined;
    if (marked || REFUSAL_TEXT.test(JSON.stringify(update.content ?? update.rawOutput ?? ''))) this.refused.add(String(update.toolCallId));
  }

  private noteCost(message: Message): void {
    const cost = reportedCostUsd(message);
    if (cost !== null) this.agentCostUsd = cost;
  }

  /** acpx's answer to a permission request: a refusal when it picked a rejecting option or none. */
  private noteAnswer(message: Message, key: string): void {
    const ask = this.permissionAsks.get(key);
    if (!ask) return;
    this.permissionAsks.delete(key);
    const outcome = asObject(asObject(message.result).outcome);
    if (outcome.outcome !== 'selected' || ask.rejecting.has(String(outcome.optionId))) this.refused.add(ask.toolCallId);
  }

  private accept(message: Message): boolean {
    const key = JSON.stringify(message.id ?? null);
    if (typeof message.method === 'string') {
      if (CLIENT_TO_AGENT.has(message.method)) {
        this.acpxPending.set(key, message.method);
        return false;
      }
      if (message.id !== undefined) this.agentPending.add(key);
      this.text += chunkText(message);
      this.noteRefusal(message, key);
      this.noteCost(message);
      return true;
    }
    const result = (message.result !== null && typeof message.result === 'object' ? message.result : undefined) as { stopReason?: unknown; usage?: unknown } | undefined;
    if (typeof result?.stopReason === 'string') {
      this.acpxPending.delete(key);
      this.stopReason = result.stopReason;
      this.usage = usageOf(result);
      return true;
    }
    if (this.agentPending.delete(key)) {
      this.noteAnswer(message, key);
      return true;
    }
    const answered = this.acpxPending.get(key);
    this.acpxPending.delete(key);
    if (message.error !== undefined) {
      this.error = errorOf(message.error);
      return answered === undefined || answered === 'session/prompt';
    }
    return answered === undefined;
  }
}

/** The running total of its cost an agent reports in an ACP usage_update (in dollars), when `message` is one. */
export function reportedCostUsd(message: Record<string, unknown>): number | null {
  const update = asObject(asObject(message.params).update);
  if (message.method !== 'session/update' || update.sessionUpdate !== 'usage_update') return null;
  const cost = asObject(update.cost);
  return typeof cost.amount === 'number' && Number.isFinite(cost.amount) && (cost.currency === undefined || cost.currency === 'USD') ? cost.amount : null;
}

/** The whole output of one prompt at once. */
export function parseTurnOutput(stdout: string): ParsedTurn {
  const reader = new TurnOutputReader();
  for (const line of stdout.split('\n')) reader.push(line);
  return reader.turn();
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A JSON-RPC error as an agent or acpx may send it: any shape, null included, is read without throwing. */
function errorOf(value: unknown): NonNullable<ParsedTurn['error']> {
  const e = (value !== null && typeof value === 'object' ? value : {}) as { code?: unknown; message?: unknown; data?: unknown };
  const data = (e.data !== null && typeof e.data === 'object' ? e.data : {}) as { acpxCode?: unknown };
  return {
    code: typeof e.code === 'number' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
    acpxCode: typeof data.acpxCode === 'string' ? data.acpxCode : undefined,
  };
}

function usageOf(result: { usage?: unknown }): TurnUsage {
  const usage = asObject(result.usage);
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    inputTokens: count(usage.inputTokens),
    outputTokens: count(usage.outputTokens),
    cacheReadTokens: count(usage.cachedReadTokens),
    cacheCreationTokens: count(usage.cachedWriteTokens),
  };
}

function parseLine(line: string): Message | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Message) : null;
  } catch {
    return null;
  }
}

function chunkText(message: Message): string {
  if (message.method !== 'session/update') return '';
  const update = (message.params as { update?: { sessionUpdate?: unknown; content?: { type?: unknown; text?: unknown } | null } | null } | null | undefined)?.update;
  const text = update?.sessionUpdate === 'agent_message_chunk' && update.content?.type === 'text' ? update.content.text : undefined;
  return typeof text === 'string' ? text : '';
}
