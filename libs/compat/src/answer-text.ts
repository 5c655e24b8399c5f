import type { RunOutcome } from '@clawdforge/run';

/** The assistant's answer as text: the structured output as JSON when a schema was asked for, else the model's words as written. */
export function answerText(outcome: Pick<RunOutcome, 'text' | 'structuredOutput'>): string {
  return outcome.structuredOutput !== undefined ? JSON.stringify(outcome.structuredOutput) : outcome.text;
}

export function count(value: number | null): number {
  return value ?? 0;
}
