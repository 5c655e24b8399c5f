import { ApiProperty } from '@nestjs/swagger';
import { ApiOkTrue, JSON_OBJECT_SCHEMA } from '@clawdforge/core';
import type { AgentSession } from '../agent-session.entity';

export class SessionView {
  @ApiProperty({ example: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' }) session_id: string;
  @ApiProperty({ example: 'claude' }) agent: string;
  @ApiProperty({ example: 'sonnet' }) model: string;
  @ApiProperty({ enum: ['open', 'closed'], example: 'open' }) status: 'open' | 'closed';
  @ApiProperty({ description: 'A turn is running', example: false }) busy: boolean;
  @ApiProperty({ example: '2026-11-24T14:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-24T14:05:00.000Z' }) last_activity_at: string;
  @ApiProperty({ nullable: true, type: String, example: null }) closed_at: string | null;
  @ApiProperty({ example: 2 }) turn_count: number;

  static of(session: AgentSession, busy: boolean): SessionView {
    return {
      session_id: session.id,
      agent: session.agent,
      model: session.model,
      status: session.status,
      busy,
      created_at: session.createdAt.toISOString(),
      last_activity_at: session.lastActivityAt.toISOString(),
      closed_at: session.closedAt?.toISOString() ?? null,
      turn_count: session.turnCount,
    };
  }
}

export class SessionResponse extends SessionView {
  @ApiOkTrue() ok: true;
  @ApiProperty({
    description: 'Agent messages of the last turn that arrived after it was answered; the next turn hands them over as its late_events',
    type: 'array',
    items: JSON_OBJECT_SCHEMA,
    required: false,
  })
  late_events?: Record<string, unknown>[];
}

export class SessionPage {
  @ApiOkTrue() ok: true;
  @ApiProperty({ type: [SessionView] }) items: SessionView[];
  @ApiProperty({ nullable: true, type: String, example: null }) next_cursor: string | null;
}

export class TurnResponse {
  @ApiOkTrue() ok: true;
  @ApiProperty({ example: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' }) session_id: string;
  @ApiProperty({ description: 'This turn’s number in the session, from 1', example: 2 }) turn_index: number;

  @ApiProperty({
    description: 'The ACP JSON-RPC messages the agent sent during this turn (session/update notifications, permission requests and their outcome), ending with the prompt result',
    example: [
      { jsonrpc: '2.0', method: 'session/update', params: { sessionId: '…', update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: '…' } } } },
      { jsonrpc: '2.0', id: 2, result: { stopReason: 'end_turn' } },
    ],
    type: 'array',
    items: JSON_OBJECT_SCHEMA,
  })
  events: Record<string, unknown>[];

  @ApiProperty({ example: 'end_turn' }) stop_reason: string;
  @ApiProperty({ description: 'Tool calls refused during the turn (outside the session’s directory, or not granted by SESSION_PERMISSIONS); each went back to the model as a tool error', example: 0 })
  tools_refused: number;
  @ApiProperty({ example: 12345 }) duration_ms: number;
  @ApiProperty({
    description: 'Agent messages of the previous turn that arrived after it was answered (acpx lingers about a second after the prompt result); usually empty',
    type: 'array',
    items: JSON_OBJECT_SCHEMA,
  })
  late_events: Record<string, unknown>[];
}
