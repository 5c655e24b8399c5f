import type { RunOutcome } from '@clawdforge/run';
import { answerText, count } from '../answer-text';
import type { ToolCallsAnswer } from '../compat-run';

/** All four of the CLI's counters, as the Messages API reports them. */
export function messageUsage(usage: RunOutcome['usage']) {
  return {
    input_tokens: count(usage.input_tokens),
    output_tokens: count(usage.output_tokens),
    cache_creation_input_tokens: count(usage.cache_creation_input_tokens),
    cache_read_input_tokens: count(usage.cache_read_input_tokens),
  };
}

export function stopReason(outcome: Pick<RunOutcome, 'stopReason'>): string {
  return outcome.stopReason ?? 'end_turn';
}

export function message(id: string, model: string, outcome: RunOutcome) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: outcome.model ?? model,
    content: [{ type: 'text', text: answerText(outcome) }],
    stop_reason: stopReason(outcome),
    stop_sequence: null,
    usage: messageUsage(outcome.usage),
  };
}

/** An answer that calls the client's tools: the text written before the calls (when there is any), then a tool_use block per call. */
export function toolUseMessage(id: string, model: string, answer: ToolCallsAnswer) {
  const text = answer.text === '' ? [] : [{ type: 'text', text: answer.text }];
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: answer.model ?? model,
    content: [...text, ...answer.calls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments }))],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: messageUsage(answer.usage),
  };
}
