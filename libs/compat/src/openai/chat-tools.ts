import { ClientTool, ToolCatalog } from '@clawdforge/tools';
import { Body, isObject, refuseUnknownFields } from '../body-fields';
import { invalidParam, UnsupportedParameterError } from '../compat-errors';
import type { TurnToolCall, TurnToolResult } from '../transcript';

/**
 * The request's functions, when the model may call them: `tools` of type `function`, with
 * `tool_choice` `auto` (the default) or `none` (then no tool is offered), and parallel calls
 * allowed. A choice the CLI cannot make hold (`required`, one named function, no parallel calls)
 * is refused naming it.
 */
export function chatToolsOf(body: Body): ToolCatalog | undefined {
  const choice = body.tool_choice;
  if (choice !== undefined && choice !== null && choice !== 'auto' && choice !== 'none') {
    throw new UnsupportedParameterError('tool_choice', 'only "auto" and "none" are accepted: the CLI cannot make the model call a tool');
  }
  if (body.parallel_tool_calls === false) throw new UnsupportedParameterError('parallel_tool_calls', 'the CLI cannot keep the model from calling several tools at once; leave it out or true');
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null && body.parallel_tool_calls !== true) throw invalidParam('parallel_tool_calls', 'must be true or false');
  if (body.tools === undefined || body.tools === null) return undefined;
  if (!Array.isArray(body.tools)) throw invalidParam('tools', 'must be an array of tools');
  const tools = body.tools.map((tool: unknown, i): ClientTool => {
    const at = `tools[${i}]`;
    if (!isObject(tool)) throw invalidParam(at, 'must be an object');
    if (tool.type !== 'function') throw new UnsupportedParameterError(`${at}.type`, 'only function tools are offered');
    refuseUnknownFields(tool, new Set(['type', 'function']), `${at}.`);
    const fn = tool.function;
    if (!isObject(fn)) throw invalidParam(`${at}.function`, 'must be an object');
    // `strict` is taken for the SDKs' helpers that always send it; the model is not held to the schema more strictly for it.
    refuseUnknownFields(fn, new Set(['name', 'description', 'parameters', 'strict']), `${at}.function.`);
    if (typeof fn.name !== 'string') throw invalidParam(`${at}.function.name`, 'must be a string');
    if (fn.description !== undefined && fn.description !== null && typeof fn.description !== 'string') throw invalidParam(`${at}.function.description`, 'must be a string');
    const parameters = fn.parameters ?? { type: 'object', properties: {} };
    return { name: fn.name, ...(typeof fn.description === 'string' ? { description: fn.description } : {}), inputSchema: parameters as Record<string, unknown> };
  });
  if (tools.length === 0 || choice === 'none') return undefined;
  return new ToolCatalog(tools, { name: (i) => `tools[${i}].function.name`, schema: (i) => `tools[${i}].function.parameters` });
}

/** An assistant message's `tool_calls`, as the client sends them back. */
export function assistantToolCalls(value: unknown, at: string): TurnToolCall[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParam(at, 'must be an array of tool calls');
  return value.map((call: unknown, j): TurnToolCall => {
    const here = `${at}[${j}]`;
    if (!isObject(call) || call.type !== 'function' || typeof call.id !== 'string' || call.id === '') throw invalidParam(here, 'must be a function tool call with an id');
    const fn = call.function;
    if (!isObject(fn) || typeof fn.name !== 'string' || typeof fn.arguments !== 'string') throw invalidParam(`${here}.function`, 'must have a name and arguments as a string');
    return { id: call.id, name: fn.name, arguments: fn.arguments };
  });
}

/** A `tool` message: the result of the call named by its `tool_call_id`. */
export function toolMessageResult(message: Body, at: string): TurnToolResult {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') throw invalidParam(`${at}.tool_call_id`, 'must name the tool call it answers');
  const content = message.content;
  let text: string;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    text = content
      .map((part: unknown, j) => {
        if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') throw new UnsupportedParameterError(`${at}.content[${j}]`, 'a tool result takes text parts only');
        return part.text;
      })
      .join('\n');
  } else throw invalidParam(`${at}.content`, 'must be a string or an array of text parts');
  return { id: message.tool_call_id, text, isError: false };
}
