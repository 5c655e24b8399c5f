import type { ClaudeStreamEvent, ClaudeUsage } from './claude-runner';
import { REFUSAL_TEXT } from './refusals';

/** The final line of `claude -p --output-format=stream-json` (and the one line of `json`). */
export interface ClaudeResultLine {
  type: 'result';
  subtype?: string;
  is_error?: boolean;
  result?: string;
  structured_output?: unknown;
  stop_reason?: string | null;
  session_id?: string;
  total_cost_usd?: number;
  duration_ms?: number;
  api_error_status?: number | null;
  usage?: Partial<Record<keyof ClaudeUsage, number>>;
  modelUsage?: Record<string, unknown>;
  errors?: unknown[];
  /** Tool calls the CLI refused (permission rules, --restricted, dontAsk), answered to the model as tool errors. */
  permission_denials?: unknown[];
}

/** The last `{"type":"result",…}` object in the CLI's stdout, or undefined when there is none. */
export function findResultLine(stdout: string): ClaudeResultLine | undefined {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { type?: unknown };
      if (parsed && parsed.type === 'result') return parsed as ClaudeResultLine;
    } catch {
      // not a JSON line: keep looking
    }
  }
  return undefined;
}

const FENCED = /^```[\w-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

/** The model's text with one surrounding code fence removed, JSON-parsed when it parses, else the string. */
export function parseResultText(text: string): unknown {
  const trimmed = text.trim();
  const unfenced = FENCED.exec(trimmed)?.[1]?.trim() ?? trimmed;
  try {
    return JSON.parse(unfenced);
  } catch {
    return unfenced;
  }
}

export function usageOf(line: ClaudeResultLine): ClaudeUsage {
  const usage = line.usage ?? {};
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    input_tokens: count(usage.input_tokens),
    output_tokens: count(usage.output_tokens),
    cache_creation_input_tokens: count(usage.cache_creation_input_tokens),
    cache_read_input_tokens: count(usage.cache_read_input_tokens),
  };
}

/** The model the CLI used: the first key of modelUsage (an alias like `sonnet` resolves to a full id there). */
export function modelOf(line: ClaudeResultLine): string | null {
  const [first] = Object.keys(line.modelUsage ?? {});
  return first ?? null;
}

/** A text delta, the start of a tool call or of a message (with its model) in one `--include-partial-messages` stdout line, else null. */
export function streamEventOf(line: string): ClaudeStreamEvent | null {
  if (!line.startsWith('{"type":"stream_event"')) return null;
  try {
    const { event } = JSON.parse(line) as {
      event?: {
        type?: string;
        delta?: { type?: string; text?: string };
        content_block?: { type?: string; id?: string; name?: string };
        message?: { model?: unknown };
      };
    };
    if (event?.type === 'message_start' && typeof event.message?.model === 'string') return { type: 'model', model: event.message.model };
    if (event?.type === 'content_block_delta' && event.delta?.type === 'text_delta' && typeof event.delta.text === 'string') {
      return { type: 'delta', text: event.delta.text };
    }
    if (event?.type === 'content_block_start' && event.content_block?.type === 'tool_use') {
      return { type: 'tool_use', id: event.content_block.id ?? '', name: event.content_block.name ?? '' };
    }
  } catch {
    // a line that is not JSON carries no event
  }
  return null;
}

interface ToolResultLine {
  message?: { content?: { type?: unknown; tool_use_id?: unknown; is_error?: unknown; content?: unknown }[] };
  tool_result_meta?: { id?: unknown; non_execution_kind?: unknown }[];
}

/**
 * Tool calls the CLI refused in one run's stream-json output: those in the result's
 * permission_denials, and any tool result it marks as not executed or that says it was refused
 * (a tool the run does not have is not a permission denial, but is refused all the same).
 */
export function refusedToolCalls(stdout: string, result: ClaudeResultLine): number {
  const refused = new Set<string>();
  for (const denial of Array.isArray(result.permission_denials) ? result.permission_denials : []) {
    refused.add(String((denial as { tool_use_id?: unknown }).tool_use_id));
  }
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"type":"user"')) continue;
    let parsed: ToolResultLine;
    try {
      parsed = JSON.parse(line) as ToolResultLine;
    } catch {
      continue;
    }
    const marked = new Set((Array.isArray(parsed.tool_result_meta) ? parsed.tool_result_meta : []).filter((m) => m?.non_execution_kind).map((m) => String(m.id)));
    for (const block of Array.isArray(parsed.message?.content) ? parsed.message.content : []) {
      if (block?.type !== 'tool_result' || block.is_error !== true) continue;
      const id = String(block.tool_use_id);
      if (marked.has(id) || REFUSAL_TEXT.test(JSON.stringify(block.content ?? ''))) refused.add(id);
    }
  }
  return refused.size;
}
