import { AppConfig, jsonBytes, MAX_ARGV_TEXT_BYTES } from '@clawdforge/core';
import type { PromptBlock } from '@clawdforge/runners';
import { base64Data, Body, checkNumbers, endUserOf, isObject, optionalBoolean, optionalPositiveInt, refuseUnknownFields } from '../body-fields';
import { invalidParam, UnsupportedParameterError } from '../compat-errors';
import { modelFor } from '../model-catalog';
import type { WireRequest } from '../compat-run';
import { systemPrompt } from '../system-prompt';
import { continuationOf } from '../tool-turns';
import { ChatTurn, IMAGE_MEDIA_TYPES, TurnToolCall, TurnToolResult } from '../transcript';
import { messagesToolsOf, toolResultBlock, toolUseBlock } from './messages-tools';

/** What a Messages body asks of a run, checked. */
export type MessagesRequest = WireRequest;

const SUPPORTED = ['model', 'messages', 'system', 'max_tokens', 'stream', 'metadata', 'output_format', 'output_config', 'tools', 'tool_choice'];
export const ANTHROPIC_IGNORED = ['temperature', 'top_p', 'top_k', 'service_tier'];
export const ANTHROPIC_REFUSED = ['stop_sequences', 'thinking', 'mcp_servers', 'container', 'context_management'];
const KNOWN = new Set([...SUPPORTED, ...ANTHROPIC_IGNORED, ...ANTHROPIC_REFUSED]);

/** Checks an Anthropic Messages body and turns it into a run; refuses, naming the parameter, what the CLI cannot honour. */
export function parseMessagesRequest(raw: unknown, config: Pick<AppConfig, 'models'>): MessagesRequest {
  if (!isObject(raw)) throw invalidParam('body', 'must be a JSON object');
  refuseUnknownFields(raw, KNOWN);
  refuseContractChanges(raw);
  checkNumbers(raw, ['temperature', 'top_p', 'top_k']);
  optionalPositiveInt(raw, 'max_tokens');
  let endUser: string | undefined;
  if (raw.metadata !== undefined && raw.metadata !== null) {
    if (!isObject(raw.metadata)) throw invalidParam('metadata', 'must be an object');
    refuseUnknownFields(raw.metadata, new Set(['user_id']), 'metadata.');
    endUser = endUserOf(raw.metadata.user_id, 'metadata.user_id');
  }
  const model = modelFor(raw.model, config);
  const stream = optionalBoolean(raw, 'stream') ?? false;
  const tools = messagesToolsOf(raw);
  const jsonSchema = outputSchema(raw);
  if (tools !== undefined && jsonSchema !== undefined) throw new UnsupportedParameterError('output_format', 'structured output cannot be asked for together with tools');
  const turns = turnsOf(raw.messages);
  return { model, system: systemOf(raw.system), turns, jsonSchema, stream, endUser, tools, continuation: continuationOf(turns, (i) => `messages[${i}]`) };
}

function refuseContractChanges(body: Body): void {
  const present = (key: string) => body[key] !== undefined && body[key] !== null;
  if (present('stop_sequences') && !(Array.isArray(body.stop_sequences) && body.stop_sequences.length === 0)) {
    throw new UnsupportedParameterError('stop_sequences', 'the CLI cannot stop at a sequence');
  }
  if (present('thinking') && !(isObject(body.thinking) && body.thinking.type === 'disabled')) throw new UnsupportedParameterError('thinking', 'extended thinking blocks are not returned by this gateway');
  for (const key of ['mcp_servers', 'container', 'context_management']) {
    if (present(key)) throw new UnsupportedParameterError(key, 'not offered through this gateway');
  }
}

function systemOf(system: unknown): string | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return systemPrompt([system], 'system');
  if (!Array.isArray(system)) throw invalidParam('system', 'must be a string or an array of text blocks');
  const texts = system.map((block: unknown, i) => {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') throw invalidParam(`system[${i}]`, 'must be a text block');
    return block.text;
  });
  return systemPrompt(texts, 'system');
}

function turnsOf(messages: unknown): ChatTurn[] {
  if (!Array.isArray(messages) || messages.length === 0) throw invalidParam('messages', 'must be a non-empty array');
  const turns = messages.map((message: unknown, i): ChatTurn => {
    const at = `messages[${i}]`;
    if (!isObject(message)) throw invalidParam(at, 'must be an object');
    refuseUnknownFields(message, new Set(['role', 'content']), `${at}.`);
    if (message.role !== 'user' && message.role !== 'assistant') throw invalidParam(`${at}.role`, 'must be user or assistant');
    return turnOf(message.role, message.content, `${at}.content`);
  });
  if (turns.at(-1)!.role !== 'user') throw new UnsupportedParameterError(`messages[${turns.length - 1}]`, 'the last message must be the user’s: an assistant prefill cannot be continued');
  return turns;
}

/** One message: its text and images in order, an assistant's tool_use blocks, a user's tool_result blocks. */
function turnOf(role: 'user' | 'assistant', content: unknown, at: string): ChatTurn {
  if (typeof content === 'string') return { role, blocks: [{ type: 'text', text: content }] };
  if (!Array.isArray(content)) throw invalidParam(at, 'must be a string or an array of content blocks');
  const blocks: PromptBlock[] = [];
  const toolCalls: TurnToolCall[] = [];
  const toolResults: TurnToolResult[] = [];
  content.forEach((block: unknown, j) => {
    const here = `${at}[${j}]`;
    if (!isObject(block)) throw invalidParam(here, 'must be an object');
    if (block.type === 'text') {
      if (typeof block.text !== 'string') throw invalidParam(`${here}.text`, 'must be a string');
      // An empty text block (an assistant message may carry one before its tool_use blocks) says nothing.
      if (block.text !== '') blocks.push({ type: 'text', text: block.text });
    } else if (block.type === 'image') blocks.push(imageOf(block.source, `${here}.source`));
    else if (block.type === 'tool_use' && role === 'assistant') toolCalls.push(toolUseBlock(block, here));
    else if (block.type === 'tool_result' && role === 'user') toolResults.push(toolResultBlock(block, here));
    else if (block.type === 'tool_use' || block.type === 'tool_result') throw invalidParam(here, `${block.type} blocks belong to ${block.type === 'tool_use' ? 'assistant' : 'user'} messages`);
    else if (block.type === 'server_tool_use') throw new UnsupportedParameterError(here, 'server tools are not offered');
    else throw new UnsupportedParameterError(`${here}.type`, 'only text, base64 image, tool_use and tool_result blocks are accepted');
  });
  return { role, blocks, ...(toolCalls.length > 0 ? { toolCalls } : {}), ...(toolResults.length > 0 ? { toolResults } : {}) };
}

function imageOf(source: unknown, at: string): PromptBlock {
  if (!isObject(source)) throw invalidParam(at, 'must be an object');
  if (source.type !== 'base64') throw new UnsupportedParameterError(`${at}.type`, 'only base64 images are accepted; the gateway fetches no remote URL');
  if (typeof source.media_type !== 'string' || !IMAGE_MEDIA_TYPES.includes(source.media_type)) {
    throw invalidParam(`${at}.media_type`, `must be one of ${IMAGE_MEDIA_TYPES.join(', ')}`);
  }
  return { type: 'image', source: { type: 'base64', media_type: source.media_type, data: base64Data(`${at}.data`, source.data) } };
}

/** Structured output: `output_format` (the beta field) or `output_config.format`, each `{type:"json_schema", schema}`. */
function outputSchema(body: Body): Record<string, unknown> | undefined {
  let format: unknown = body.output_format;
  let param = 'output_format';
  if (body.output_config !== undefined && body.output_config !== null) {
    if (!isObject(body.output_config)) throw invalidParam('output_config', 'must be an object');
    refuseUnknownFields(body.output_config, new Set(['format', 'effort']), 'output_config.');
    if (body.output_config.format !== undefined && body.output_config.format !== null) {
      if (format !== undefined && format !== null) throw invalidParam('output_config.format', 'and output_format cannot both be given');
      format = body.output_config.format;
      param = 'output_config.format';
    }
  }
  if (format === undefined || format === null) return undefined;
  if (!isObject(format) || format.type !== 'json_schema' || !isObject(format.schema)) throw invalidParam(param, 'must be {"type":"json_schema","schema":{…}}');
  if (jsonBytes(format.schema) > MAX_ARGV_TEXT_BYTES) throw invalidParam(`${param}.schema`, `must be at most ${MAX_ARGV_TEXT_BYTES} bytes as JSON`);
  return format.schema;
}
