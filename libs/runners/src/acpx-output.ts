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

type Message = Record<string, unknown> & { id?: unknown; method?: unknown; result?: unknown; error?: unknown };

export interface ParsedTurn {
  events: Message[];
  stopReason: string | null;
  text: string;
  /** Token counts, when the agent reports them with the prompt result (the Claude adapter does). */
  usage: { inputTokens: number | null; outputTokens: number | null };
  /** A JSON-RPC error acpx or the agent reported, if any. */
  error: { code?: number; message?: string; acpxCode?: string } | null;
}

/**
 * Reads `acpx --format json` output of one prompt: keeps what the agent sent (updates, permission
 * requests and acpx's answers to them, the prompt's result) and drops acpx's own requests
 * (initialize, session/load, session/prompt) and the agent's answers to them. acpx and the agent
 * number their requests independently, so an answer is matched against whichever side has a
 * request with that id still open, and the prompt's result is recognised by `stopReason`.
 */
export function parseTurnOutput(stdout: string): ParsedTurn {
  const events: Message[] = [];
  const acpxPending = new Map<string, string>();
  const agentPending = new Set<string>();
  let stopReason: string | null = null;
  let error: ParsedTurn['error'] = null;
  let text = '';
  let usage: ParsedTurn['usage'] = { inputTokens: null, outputTokens: null };
  for (const line of stdout.split('\n')) {
    const message = parseLine(line);
    if (!message) continue;
    const key = JSON.stringify(message.id ?? null);
    if (typeof message.method === 'string') {
      if (CLIENT_TO_AGENT.has(message.method)) {
        acpxPending.set(key, message.method);
        continue;
      }
      if (message.id !== undefined) agentPending.add(key);
      events.push(message);
      text += chunkText(message);
      continue;
    }
    const result = message.result as { stopReason?: unknown; usage?: unknown } | undefined;
    if (typeof result?.stopReason === 'string') {
      acpxPending.delete(key);
      stopReason = result.stopReason;
      usage = usageOf(result);
      events.push(message);
      continue;
    }
    if (agentPending.delete(key)) {
      events.push(message);
      continue;
    }
    const answered = acpxPending.get(key);
    acpxPending.delete(key);
    if (message.error !== undefined) {
      const e = message.error as { code?: number; message?: string; data?: { acpxCode?: string } };
      error = { code: e.code, message: e.message, acpxCode: e.data?.acpxCode };
      if (answered === undefined || answered === 'session/prompt') events.push(message);
    } else if (answered === undefined) {
      events.push(message);
    }
  }
  return { events, stopReason, text, usage, error };
}

function usageOf(result: { usage?: unknown }): ParsedTurn['usage'] {
  const usage = (result.usage ?? {}) as { inputTokens?: unknown; outputTokens?: unknown };
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return { inputTokens: count(usage.inputTokens), outputTokens: count(usage.outputTokens) };
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
  const update = (message.params as { update?: { sessionUpdate?: string; content?: { type?: string; text?: string } } } | undefined)?.update;
  return update?.sessionUpdate === 'agent_message_chunk' && update.content?.type === 'text' ? (update.content.text ?? '') : '';
}
