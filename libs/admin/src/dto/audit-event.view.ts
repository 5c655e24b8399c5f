import { ApiProperty } from '@nestjs/swagger';
import { ApiOkTrue } from '@clawdforge/core';
import type { AuditEvent } from '@clawdforge/audit';

export class AuditEventView {
  @ApiProperty({ example: 42 }) id: number;
  @ApiProperty({ example: '2026-11-24T14:00:00.000Z' }) at: string;
  @ApiProperty({ nullable: true, type: String, example: 'cauldron' }) token_name: string | null;
  @ApiProperty({ example: 'POST' }) method: string;
  @ApiProperty({ example: '/run' }) route: string;
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: 4321 }) duration_ms: number;
  @ApiProperty({ nullable: true, type: String, example: null }) error_code: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'sonnet' }) model: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 61 }) prompt_chars: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 88 }) response_chars: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 120 }) input_tokens: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 35 }) output_tokens: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.0012 }) cost_usd: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Tool calls the agent was refused (runs and turns)', example: 0 }) tools_refused: number | null;
  @ApiProperty({ nullable: true, type: String, example: null }) session_id: string | null;
  @ApiProperty({ nullable: true, type: Number, example: null }) turn_index: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 3 }) queue_ms: number | null;
  @ApiProperty({ nullable: true, type: String, example: '5f0c2a3e-1111-4d2b-9c55-0a1b2c3d4e5f' }) request_id: string | null;
  @ApiProperty({ nullable: true, type: String, example: '172.24.0.7' }) client_ip: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The end user the app named on a /v1 route (`user`, `metadata.user_id`)', example: null }) end_user: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'How many requests the row stands for, null for one: a summary (method and route `*`) of refused requests from one peer outside the allowlist in one minute, past the first few each peer gets rows of its own',
    example: null,
  })
  requests: number | null;
  @ApiProperty({ nullable: true, type: Boolean, description: 'true: answered again from the answer kept for its Idempotency-Key (nothing ran, nothing was billed); null otherwise', example: null })
  replayed: boolean | null;

  static of(event: AuditEvent): AuditEventView {
    return {
      id: event.id,
      at: event.at.toISOString(),
      token_name: event.tokenName,
      method: event.method,
      route: event.route,
      status: event.status,
      duration_ms: event.durationMs,
      error_code: event.errorCode,
      model: event.model,
      prompt_chars: event.promptChars,
      response_chars: event.responseChars,
      input_tokens: event.inputTokens,
      output_tokens: event.outputTokens,
      cost_usd: event.costUsd,
      tools_refused: event.toolsRefused,
      session_id: event.sessionId,
      turn_index: event.turnIndex,
      queue_ms: event.queueMs,
      request_id: event.requestId,
      client_ip: event.clientIp,
      end_user: event.endUser,
      requests: event.requests ?? null,
      replayed: event.replayed ? true : null,
    };
  }
}

export class AuditPage {
  @ApiOkTrue() ok: true;
  @ApiProperty({ type: [AuditEventView] }) items: AuditEventView[];
  @ApiProperty({ nullable: true, type: String, example: null }) next_cursor: string | null;
}
