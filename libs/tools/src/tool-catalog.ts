import { createHash } from 'node:crypto';
import { InvalidRequestError } from '@clawdforge/core';
import { schemaProblem } from './tool-schema';

/** A function the client offers the model: its name as the client spells it, what it does, and its arguments' JSON Schema. */
export interface ClientTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** Where each part of a client's tool sits in its request body, for the 400 that names it. */
export interface ToolParams {
  name: (index: number) => string;
  schema: (index: number) => string;
}

/** The MCP server the client's tools belong to: its tools reach the model as `mcp__fn__<name>`. */
export const TOOL_SERVER = 'fn';
const MODEL_PREFIX = `mcp__${TOOL_SERVER}__`;
/** The model API's limit on a tool's name, which the prefix counts towards. */
const MODEL_NAME_MAX = 64;
export const TOOL_NAME_MAX = MODEL_NAME_MAX - MODEL_PREFIX.length;
export const TOOLS_MAX = 128;

/** As the CLI spells an MCP tool's name for the model: every character outside [A-Za-z0-9_-] becomes `_`. */
export function cliToolName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** An MCP tool as the gateway lists it to the CLI. */
export interface McpTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations: { readOnlyHint: true };
}

/**
 * The client's tools of one request, checked, with the exact way back from the name the model
 * calls to the name the client gave. A name the CLI would spell like another's, or one too long
 * once the CLI has prefixed it, and a schema the CLI would drop (it then drops the whole server,
 * without a word), are refused here, naming the tool, before anything runs.
 */
export class ToolCatalog {
  private readonly byModelName = new Map<string, ClientTool>();
  private readonly byMcpName = new Map<string, ClientTool>();
  /** What identifies this set of tools: the same tools give the same digest. */
  readonly digest: string;

  constructor(
    readonly tools: readonly ClientTool[],
    params: ToolParams,
  ) {
    if (tools.length > TOOLS_MAX) throw new InvalidRequestError(`tools may hold at most ${TOOLS_MAX} tools`, 'tools');
    tools.forEach((tool, i) => {
      if (tool.name === '' || tool.name.length > TOOL_NAME_MAX) {
        throw new InvalidRequestError(`${params.name(i)} must be 1 to ${TOOL_NAME_MAX} characters (the CLI prefixes "${MODEL_PREFIX}", and the model takes ${MODEL_NAME_MAX})`, params.name(i));
      }
      const mcpName = cliToolName(tool.name);
      const other = this.byMcpName.get(mcpName);
      if (other !== undefined) {
        const how = other.name === tool.name ? 'is given twice' : `reaches the model as "${mcpName}", as "${other.name}" does`;
        throw new InvalidRequestError(`${params.name(i)}: the tool "${tool.name}" ${how}; names must stay apart once characters outside A-Z a-z 0-9 _ - become _`, params.name(i));
      }
      const problem = schemaProblem(tool.inputSchema);
      if (problem !== null) throw new InvalidRequestError(`${params.schema(i)}: the schema of the tool "${tool.name}" ${problem}`, params.schema(i));
      this.byMcpName.set(mcpName, tool);
      this.byModelName.set(`${MODEL_PREFIX}${mcpName}`, tool);
    });
    this.digest = createHash('sha256').update(JSON.stringify(tools)).digest('base64url');
  }

  /** The tools as the bridge lists them. All are marked read-only, so the CLI calls those of one message together rather than one after another. */
  mcpTools(): McpTool[] {
    return this.tools.map((tool) => ({
      name: cliToolName(tool.name),
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: tool.inputSchema,
      annotations: { readOnlyHint: true },
    }));
  }

  /** The client's name for a tool, from the name the model called it by (`mcp__fn__…`); undefined for any other. */
  clientName(modelName: string): string | undefined {
    return this.byModelName.get(modelName)?.name;
  }
}
