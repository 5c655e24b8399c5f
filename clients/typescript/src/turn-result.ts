import type { AcpMessage, TurnBody } from './types.js';

/** One finished turn: the server's body, plus `text()` joining what the agent said. */
export class TurnResult implements TurnBody {
  readonly ok = true as const;
  readonly session_id: string;
  readonly turn_index: number;
  readonly events: AcpMessage[];
  readonly stop_reason: string;
  readonly tools_refused: number;
  readonly duration_ms: number;
  readonly late_events: AcpMessage[];

  constructor(body: TurnBody) {
    this.session_id = body.session_id;
    this.turn_index = body.turn_index;
    this.events = body.events;
    this.stop_reason = body.stop_reason;
    this.tools_refused = body.tools_refused;
    this.duration_ms = body.duration_ms;
    this.late_events = body.late_events ?? [];
  }

  /** The agent's message chunks of this turn, joined. */
  text(): string {
    return this.events.map(chunkText).join('');
  }
}

export function chunkText(message: AcpMessage): string {
  const update = (message.params as { update?: { sessionUpdate?: string; content?: { type?: string; text?: string } } } | undefined)?.update;
  return update?.sessionUpdate === 'agent_message_chunk' && update.content?.type === 'text' ? (update.content.text ?? '') : '';
}
