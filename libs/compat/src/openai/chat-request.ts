import { AppConfig, jsonBytes, MAX_ARGV_TEXT_BYTES } from '@clawdforge/core';
import type { PromptBlock } from '@clawdforge/runners';
import { base64Data, Body, checkNumbers, endUserOf, isObject, optionalBoolean, optionalPositiveInt, refuseUnknownFields } from '../body-fields';
import { invalidParam, UnsupportedParameterError } from '../compat-errors';
import { modelFor } from '../model-catalog';
import type { WireRequest } from '../compat-run';
import { systemPrompt } from '../system-prompt';
import { continuationOf } from '../tool-turns';
import { ChatTurn, IMAGE_MEDIA_TYPES } from '../transcript';
import { assistantToolCalls, chatToolsOf, toolMessageResult } from './chat-tools';

/** What a Chat Completions body asks of a run, checked; also whether the stream ends with usage. */
export interface ChatRequest extends WireRequest {
  includeUsage: boolean;
}

const SUPPORTED = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'response_format',
  'max_tokens',
  'max_completion_tokens',
  'user',
  'safety_identifier',
  'metadata',
  'store',
  'n',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
];
export const OPENAI_IGNORED = ['temperature', 'top_p', 'seed', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'service_tier', 'reasoning_effort', 'verbosity', 'prompt_cache_key'];
export const OPENAI_REFUSED = ['functions', 'function_call', 'logprobs', 'top_logprobs', 'stop', 'audio', 'modalities', 'prediction', 'web_search_options'];
const KNOWN = new Set([...SUPPORTED, ...OPENAI_IGNORED, ...OPENAI_REFUSED]);
const MESSAGE_FIELDS = new Set(['role', 'content', 'name', 'tool_calls', 'function_call', 'refusal', 'audio', 'tool_call_id']);
const NUMERIC_IGNORED = ['temperature', 'top_p', 'seed', 'frequency_penalty', 'presence_penalty'];

/** Checks an OpenAI Chat Completions body and turns it into a run; refuses, naming the parameter, what the CLI cannot honour. */
export function parseChatRequest(raw: unknown, config: Pick<AppConfig, 'models'>): ChatRequest {
  if (!isObject(raw)) throw invalidParam('body', 'must be a JSON object');
  refuseUnknownFields(raw, KNOWN);
  refuseContractChanges(raw);
  checkNumbers(raw, NUMERIC_IGNORED);
  optionalPositiveInt(raw, 'max_tokens');
  optionalPositiveInt(raw, 'max_completion_tokens');
  if (raw.metadata !== undefined && raw.metadata !== null && !isObject(raw.metadata)) throw invalidParam('metadata', 'must be an object');
  const model = modelFor(raw.model, config);
  const stream = optionalBoolean(raw, 'stream') ?? false;
  let includeUsage = false;
  if (raw.stream_options !== undefined && raw.stream_options !== null) {
    if (!isObject(raw.stream_options)) throw invalidParam('stream_options', 'must be an object');
    if (!stream) throw invalidParam('stream_options', 'is only allowed when stream is true');
    includeUsage = optionalBoolean(raw.stream_options, 'include_usage') === true;
  }
  const { system, turns, at } = messagesOf(raw.messages);
  const endUser = endUserOf(raw.safety_identifier, 'safety_identifier') ?? endUserOf(raw.user, 'user');
  const tools = chatToolsOf(raw);
  const jsonSchema = responseSchema(raw.response_format);
  if (tools !== undefined && jsonSchema !== undefined) throw new UnsupportedParameterError('response_format', 'structured output cannot be asked for together with tools');
  const continuation = continuationOf(turns, (i) => `messages[${at[i]}]`);
  return { model, system, turns, jsonSchema, stream, includeUsage, endUser, tools, continuation };
}

function refuseContractChanges(body: Body): void {
  const present = (key: string) => body[key] !== undefined && body[key] !== null;
  if (present('functions') && !(Array.isArray(body.functions) && body.functions.length === 0)) throw new UnsupportedParameterError('functions', 'the legacy functions are not offered; send tools');
  if (present('function_call') && body.function_call !== 'none') throw new UnsupportedParameterError('function_call', 'the legacy function_call is not offered; send tool_choice');
  if (present('n') && body.n !== 1) throw new UnsupportedParameterError('n', 'only one choice (n = 1) is generated');
  if (present('logprobs') && body.logprobs !== false) throw new UnsupportedParameterError('logprobs', 'the CLI does not report log probabilities');
  if (present('top_logprobs')) throw new UnsupportedParameterError('top_logprobs', 'the CLI does not report log probabilities');
  if (present('stop') && !(Array.isArray(body.stop) && body.stop.length === 0)) throw new UnsupportedParameterError('stop', 'the CLI cannot stop at a sequence');
  if (present('audio')) throw new UnsupportedParameterError('audio', 'audio output is not offered');
  if (present('modalities') && !(Array.isArray(body.modalities) && body.modalities.every((m) => m === 'text'))) {
    throw new UnsupportedParameterError('modalities', 'only text output is offered');
  }
  if (present('prediction')) throw new UnsupportedParameterError('prediction', 'predicted outputs are not offered');
  if (present('web_search_options')) throw new UnsupportedParameterError('web_search_options', 'web search is not offered');
}

/** The system text, the turns (consecutive `tool` messages as one turn of results), and the index in `messages` each turn starts at. */
function messagesOf(messages: unknown): { system?: string; turns: ChatTurn[]; at: number[] } {
  if (!Array.isArray(messages) || messages.length === 0) throw invalidParam('messages', 'must be a non-empty array');
  const systemTexts: string[] = [];
  const turns: ChatTurn[] = [];
  const starts: number[] = [];
  messages.forEach((message: unknown, i) => {
    const at = `messages[${i}]`;
    if (!isObject(message)) throw invalidParam(at, 'must be an object');
    refuseUnknownFields(message, MESSAGE_FIELDS, `${at}.`);
    const role = message.role;
    if (role === 'system' || role === 'developer') {
      systemTexts.push(textOnly(message.content, `${at}.content`));
    } else if (role === 'user' || role === 'assistant') {
      let toolCalls;
      if (role === 'assistant') {
        toolCalls = assistantToolCalls(message.tool_calls, `${at}.tool_calls`);
        if (message.function_call !== undefined && message.function_call !== null) throw new UnsupportedParameterError(`${at}.function_call`, 'tool calling is not offered through this gateway');
        if (message.audio !== undefined && message.audio !== null) throw new UnsupportedParameterError(`${at}.audio`, 'audio is not offered');
      }
      if (message.name !== undefined && typeof message.name !== 'string') throw invalidParam(`${at}.name`, 'must be a string');
      const blocks: PromptBlock[] = role === 'user' ? userBlocks(message.content, `${at}.content`) : [{ type: 'text', text: assistantText(message.content, `${at}.content`) }];
      turns.push({ role, blocks, ...(typeof message.name === 'string' ? { name: message.name } : {}), ...(toolCalls ? { toolCalls } : {}) });
      starts.push(i);
    } else if (role === 'tool') {
      const result = toolMessageResult(message, at);
      const last = turns.at(-1);
      if (last?.role === 'tool') last.toolResults!.push(result);
      else {
        turns.push({ role: 'tool', blocks: [], toolResults: [result] });
        starts.push(i);
      }
    } else if (role === 'function') {
      throw new UnsupportedParameterError(`${at}.role`, '"function" messages answer the legacy function_call, which is not offered; send tool messages');
    } else {
      throw invalidParam(`${at}.role`, 'must be one of system, developer, user, assistant, tool');
    }
  });
  if (turns.length === 0) throw invalidParam('messages', 'must hold at least one user message');
  if (turns.at(-1)!.role === 'assistant') throw new UnsupportedParameterError(`messages[${messages.length - 1}]`, 'the last message must be the user’s or tool results: an assistant prefill cannot be continued');
  return { system: systemPrompt(systemTexts, 'messages'), turns, at: starts };
}

function textOnly(content: unknown, at: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidParam(at, 'must be a string or an array of text parts');
  return content
    .map((part: unknown, j) => {
      if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') throw invalidParam(`${at}[${j}]`, 'must be a text part');
      return part.text;
    })
    .join('\n');
}

function assistantText(content: unknown, at: string): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidParam(at, 'must be a string or an array of text parts');
  return content
    .map((part: unknown, j) => {
      if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
      if (isObject(part) && part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
      throw invalidParam(`${at}[${j}]`, 'must be a text or refusal part');
    })
    .join('\n');
}

function userBlocks(content: unknown, at: string): PromptBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidParam(at, 'must be a string or an array of content parts');
  return content.map((part: unknown, j): PromptBlock => {
    const here = `${at}[${j}]`;
    if (!isObject(part)) throw invalidParam(here, 'must be an object');
    if (part.type === 'text') {
      if (typeof part.text !== 'string') throw invalidParam(`${here}.text`, 'must be a string');
      return { type: 'text', text: part.text };
    }
    if (part.type === 'image_url') return imageOf(part.image_url, `${here}.image_url`);
    if (part.type === 'input_audio') throw new UnsupportedParameterError(here, 'audio input is not offered');
    if (part.type === 'file') throw new UnsupportedParameterError(here, 'file parts are not offered; upload with POST /files and use /run');
    throw invalidParam(`${here}.type`, 'must be text or image_url');
  });
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,(.*)$/s;

function imageOf(image: unknown, at: string): PromptBlock {
  if (!isObject(image) || typeof image.url !== 'string') throw invalidParam(`${at}.url`, 'must be a string');
  const match = DATA_URL.exec(image.url);
  if (!match) throw new UnsupportedParameterError(`${at}.url`, 'only data: URLs with base64 images are accepted; the gateway fetches no remote URL');
  if (!IMAGE_MEDIA_TYPES.includes(match[1])) throw invalidParam(`${at}.url`, `must hold one of ${IMAGE_MEDIA_TYPES.join(', ')}`);
  return { type: 'image', source: { type: 'base64', media_type: match[1], data: base64Data(`${at}.url`, match[2]) } };
}

function responseSchema(format: unknown): Record<string, unknown> | undefined {
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) throw invalidParam('response_format', 'must be an object');
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'object' };
  if (format.type !== 'json_schema') throw invalidParam('response_format.type', 'must be text, json_object or json_schema');
  const spec = format.json_schema;
  if (!isObject(spec) || !isObject(spec.schema)) throw invalidParam('response_format.json_schema.schema', 'must be a JSON Schema object');
  if (jsonBytes(spec.schema) > MAX_ARGV_TEXT_BYTES) throw invalidParam('response_format.json_schema.schema', `must be at most ${MAX_ARGV_TEXT_BYTES} bytes as JSON`);
  return spec.schema;
}
