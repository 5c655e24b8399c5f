import type { RunOutcome } from '@clawdforge/run';
import { answerText, count } from '../answer-text';

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
