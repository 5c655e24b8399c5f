import type { RunOutcome } from '@clawdforge/run';
import { answerText, count } from '../answer-text';
import type { ToolCallsAnswer } from '../compat-run';

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

/** OpenAI counts every prompt token, cached or not, in prompt_tokens; the cache reads are also told apart. */
export function chatUsage(usage: RunOutcome['usage']): ChatUsage {
  const cached = count(usage.cache_read_input_tokens);
  const prompt = count(usage.input_tokens) + count(usage.cache_creation_input_tokens) + cached;
  const completion = count(usage.output_tokens);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
}

/** The CLI's stop reason as OpenAI's finish_reason. */
export function finishReason(stopReason: string | null): 'stop' | 'length' {
  return stopReason === 'max_tokens' ? 'length' : 'stop';
}

export function chatCompletion(id: string, created: number, model: string, outcome: RunOutcome) {
  return {
    id,
    object: 'chat.completion',
    created,
    model: outcome.model ?? model,
    choices: [{ index: 0, message: { role: 'assistant', content: answerText(outcome), refusal: null }, logprobs: null, finish_reason: finishReason(outcome.stopReason) }],
    usage: chatUsage(outcome.usage),
    system_fingerprint: null,
  };
}

/** An answer that calls the client's tools: the text written before the calls (or null), each call with its arguments as JSON text. */
export function chatToolCalls(id: string, created: number, model: string, answer: ToolCallsAnswer) {
  const calls = answer.calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
  return {
    id,
    object: 'chat.completion',
    created,
    model: answer.model ?? model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer.text === '' ? null : answer.text, refusal: null, tool_calls: calls }, logprobs: null, finish_reason: 'tool_calls' }],
    usage: chatUsage(answer.usage),
    system_fingerprint: null,
  };
}
