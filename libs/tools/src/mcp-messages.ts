import type { McpTool } from './tool-catalog';

/** A tools/call as the CLI sends it: the tool's MCP name, its arguments, and the model's id for the call. */
export interface McpCall {
  name: string;
  arguments: unknown;
  /** `_meta["claudecode/toolUseId"]`: the `toolu_…` id the client will answer. */
  toolUseId: string | undefined;
}

/** What one JSON-RPC message posted to the bridge asks for. */
export type McpAnswer =
  /** Answered at once with this JSON-RPC body. */
  | { kind: 'reply'; body: object }
  /** A notification or a response: nothing to answer (202). */
  | { kind: 'accepted' }
  /** A tool call: answered on an event stream once the client has sent its result. */
  | { kind: 'call'; id: string | number; call: McpCall };

/** The result of a tools/call: the client's text, and whether the client called it an error. */
export interface McpToolResult {
  text: string;
  isError: boolean;
}

const SUPPORTED_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'];
const SERVER_INFO = { name: 'clawdforge-client-tools', version: '1' };

const reply = (id: unknown, result: object): McpAnswer => ({ kind: 'reply', body: { jsonrpc: '2.0', id, result } });
const failure = (id: unknown, code: number, message: string): McpAnswer => ({ kind: 'reply', body: { jsonrpc: '2.0', id: id ?? null, error: { code, message } } });

/**
 * The gateway's side of MCP for one run, as far as the CLI needs it: initialize, ping, tools/list
 * and tools/call; everything else is "method not found" (the CLI then falls back, as for
 * `server/discover`). Tool calls are handed back to be answered later.
 */
export function mcpAnswer(message: unknown, tools: McpTool[]): McpAnswer {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return failure(null, -32600, 'one JSON-RPC message per request');
  const { id, method, params } = message as { id?: unknown; method?: unknown; params?: Record<string, unknown> };
  if (id === undefined || typeof method !== 'string') return { kind: 'accepted' };
  if (typeof id !== 'string' && typeof id !== 'number') return failure(null, -32600, 'the id must be a string or a number');
  switch (method) {
    case 'initialize': {
      const asked = typeof params?.protocolVersion === 'string' ? params.protocolVersion : '';
      return reply(id, { protocolVersion: SUPPORTED_VERSIONS.includes(asked) ? asked : SUPPORTED_VERSIONS[0], capabilities: { tools: { listChanged: false } }, serverInfo: SERVER_INFO });
    }
    case 'ping':
      return reply(id, {});
    case 'tools/list':
      return reply(id, { tools });
    case 'tools/call': {
      const meta = (params?._meta ?? {}) as Record<string, unknown>;
      const toolUseId = meta['claudecode/toolUseId'];
      if (typeof params?.name !== 'string') return failure(id, -32602, 'tools/call needs a tool name');
      return { kind: 'call', id, call: { name: params.name, arguments: params.arguments ?? {}, toolUseId: typeof toolUseId === 'string' ? toolUseId : undefined } };
    }
    default:
      return failure(id, -32601, `${method.slice(0, 64)} is not offered`);
  }
}

/** The JSON-RPC response to a tools/call. */
export function toolCallResponse(id: string | number, result: McpToolResult): object {
  return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: result.text }], isError: result.isError } };
}
