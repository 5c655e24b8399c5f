import { ClientTool, ToolCatalog } from '@clawdforge/tools';
import { Body, isObject, refuseUnknownFields } from '../body-fields';
import { invalidParam, UnsupportedParameterError } from '../compat-errors';
import type { TurnToolCall, TurnToolResult } from '../transcript';

/**
 * The request's tools, when the model may call them: client tools (name, description,
 * input_schema), with `tool_choice` `auto` (the default) or `none` (then no tool is offered). A
 * server tool, a forced choice (`any`, one named tool) or disabled parallel use is refused naming it.
 */
export function messagesToolsOf(body: Body): ToolCatalog | undefined {
  const choice = body.tool_choice;
  let none = false;
  if (choice !== undefined && choice !== null) {
    if (!isObject(choice)) throw invalidParam('tool_choice', 'must be an object');
    if (choice.type !== 'auto' && choice.type !== 'none') throw new UnsupportedParameterError('tool_choice.type', 'only "auto" and "none" are accepted: the CLI cannot make the model call a tool');
    refuseUnknownFields(choice, new Set(['type', 'disable_parallel_tool_use']), 'tool_choice.');
    if (choice.disable_parallel_tool_use === true) throw new UnsupportedParameterError('tool_choice.disable_parallel_tool_use', 'the CLI cannot keep the model from calling several tools at once');
    none = choice.type === 'none';
  }
  if (body.tools === undefined || body.tools === null) return undefined;
  if (!Array.isArray(body.tools)) throw invalidParam('tools', 'must be an array of tools');
  const tools = body.tools.map((tool: unknown, i): ClientTool => {
    const at = `tools[${i}]`;
    if (!isObject(tool)) throw invalidParam(at, 'must be an object');
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') throw new UnsupportedParameterError(`${at}.type`, 'only client tools are offered, no server tools');
    refuseUnknownFields(tool, new Set(['type', 'name', 'description', 'input_schema', 'cache_control']), `${at}.`);
    if (typeof tool.name !== 'string') throw invalidParam(`${at}.name`, 'must be a string');
    if (tool.description !== undefined && tool.description !== null && typeof tool.description !== 'string') throw invalidParam(`${at}.description`, 'must be a string');
    return { name: tool.name, ...(typeof tool.description === 'string' ? { description: tool.description } : {}), inputSchema: tool.input_schema as Record<string, unknown> };
  });
  if (tools.length === 0 || none) return undefined;
  return new ToolCatalog(tools, { name: (i) => `tools[${i}].name`, schema: (i) => `tools[${i}].input_schema` });
}

/** A `tool_use` block of an assistant message, as the client sends it back. */
export function toolUseBlock(block: Body, at: string): TurnToolCall {
  if (typeof block.id !== 'string' || block.id === '' || typeof block.name !== 'string') throw invalidParam(at, 'must be a tool_use block with an id and a name');
  return { id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) };
}

/** A `tool_result` block of a user message: text (a string or text blocks), and whether it is an error. */
export function toolResultBlock(block: Body, at: string): TurnToolResult {
  if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '') throw invalidParam(`${at}.tool_use_id`, 'must name the tool_use it answers');
  if (block.is_error !== undefined && block.is_error !== null && typeof block.is_error !== 'boolean') throw invalidParam(`${at}.is_error`, 'must be true or false');
  const content = block.content ?? '';
  let text: string;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    text = content
      .map((inner: unknown, j) => {
        if (!isObject(inner) || inner.type !== 'text' || typeof inner.text !== 'string') throw new UnsupportedParameterError(`${at}.content[${j}]`, 'a tool result takes text blocks only');
        return inner.text;
      })
      .join('\n');
  } else throw invalidParam(`${at}.content`, 'must be a string or an array of text blocks');
  return { id: block.tool_use_id, text, isError: block.is_error === true };
}
