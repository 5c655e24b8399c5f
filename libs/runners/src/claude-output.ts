import type { ClaudeStreamEvent, ClaudeUsage } from './claude-runner';

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

/** A text delta or the start of a tool call in one `--include-partial-messages` stdout line, else null. */
export function streamEventOf(line: string): ClaudeStreamEvent | null {
  if (!line.startsWith('{"type":"stream_event"')) return null;
  try {
    const { event } = JSON.parse(line) as {
      event?: { type?: string; delta?: { type?: string; text?: string }; content_block?: { type?: string; id?: string; name?: string } };
    };
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
