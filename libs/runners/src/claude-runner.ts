import type { RequestContext } from '@clawdforge/core';

/** A file handed to the model with the prompt. */
export interface RunAttachment {
  name: string;
  /** One the model takes: an image type, application/pdf, or text. */
  mediaType: string;
  path: string;
}

/** Part of a prompt given as content blocks rather than one text: text, or an image in base64. */
export type PromptBlock = { type: 'text'; text: string } | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } };

/** One call the model made to a client's tool: its `toolu_…` id, the name the model used, and the arguments. */
export interface ModelToolCall {
  id: string;
  name: string;
  input: unknown;
}

/**
 * What a streaming run reports while the model writes; `model` (the id serving it) comes once the
 * model starts its answer. A run with client tools also reports: whether its MCP servers connected
 * (`tool_servers`, from the CLI's init line), each model call's usage as it ends (`usage`), the
 * calls of a message that ended to call tools (`tool_calls`, all of them at once), and each tool
 * result the CLI handed back to the model (`tool_result`).
 */
export type ClaudeStreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_use'; id: string; name: string }
  | { type: 'model'; model: string }
  | { type: 'tool_servers'; servers: { name: string; status: string }[] }
  | { type: 'usage'; usage: ClaudeUsage }
  | { type: 'tool_calls'; calls: ModelToolCall[] }
  | { type: 'tool_result'; id: string; isError: boolean };

/**
 * The client's own functions, offered to the model as the tools of one MCP server the gateway
 * serves on loopback (Streamable HTTP). With it a run has no other tool, built-in or not.
 */
export interface ClientToolsLaunch {
  /** The server's name in the CLI: its tools reach the model as `mcp__<server>__<name>`. */
  server: string;
  /** The server's URL, on loopback, with the run's own path. */
  url: string;
  /** The bearer the server takes for this run; it reaches the child in its environment, never in argv. */
  secret: string;
  /** How long the CLI waits on one tool call before it gives up on it. */
  callTimeoutMs: number;
}

export interface ClaudeRunRequest {
  prompt: string;
  /** When given, the user message carries these blocks in place of `prompt` (which then only describes them). */
  content?: PromptBlock[];
  /** Sent before the prompt: images and PDFs as content blocks, text as text. */
  attachments?: RunAttachment[];
  /** Already validated: an alias or a claude-… id. */
  model: string;
  /** Replaces Claude Code's default system prompt. */
  system?: string;
  /** JSON Schema for structured output; the answer then arrives as `structuredOutput`. */
  jsonSchema?: Record<string, unknown>;
  timeoutSecs: number;
  /** Dollars the run may spend before the CLI stops it (the token's budget left); none when absent. */
  maxBudgetUsd?: number;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /** When given, the CLI reports partial messages and each text delta or tool call arrives here as it happens. */
  onEvent?: (event: ClaudeStreamEvent) => void;
  /** The request the run serves (see ProcessFeedOptions.origin). */
  origin?: RequestContext;
  /** The client's functions as the run's only tools; the run then streams (onEvent is required). */
  clientTools?: ClientToolsLaunch;
}

export interface ClaudeUsage {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
}

export interface ClaudeRunResult {
  /** The CLI's `result` text, as the model wrote it. */
  text: string;
  /** Present when a JSON Schema was given and the CLI returned structured output. */
  structuredOutput?: unknown;
  stopReason: string | null;
  /** The model id the CLI actually used (an alias resolved), when it says. */
  model: string | null;
  sessionId: string | null;
  usage: ClaudeUsage;
  costUsd: number | null;
  /** Tool calls refused during the run (answered to the model as tool errors). */
  toolsRefused: number;
  /** Wall time of the CLI process. */
  durationMs: number;
}

/**
 * Runs one prompt to completion. Abstract class as DI token; the implementation spawns the
 * claude CLI. Fails with CliNotFoundError (503), CliTimeoutError (504), CliFailedError (502)
 * or RunCancelledError (the client went away).
 */
export abstract class ClaudeRunner {
  abstract run(request: ClaudeRunRequest): Promise<ClaudeRunResult>;
}
