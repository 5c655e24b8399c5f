import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isoTimestamp } from '@clawdforge/core';

/** One request to a protected route. Never a token, never a prompt. */
@Entity('audit_events')
export class AuditEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text', transformer: isoTimestamp })
  at: Date;

  @Column({ type: 'text', name: 'request_id', nullable: true })
  requestId: string | null;

  @Column({ type: 'text', name: 'token_name', nullable: true })
  tokenName: string | null;

  @Column({ type: 'text', name: 'client_ip', nullable: true })
  clientIp: string | null;

  @Column({ type: 'text' })
  method: string;

  /** The route pattern (`/sessions/:id`), or the path when no route matched. */
  @Column({ type: 'text' })
  route: string;

  @Column({ type: 'integer' })
  status: number;

  @Column({ type: 'integer', name: 'duration_ms' })
  durationMs: number;

  @Column({ type: 'text', name: 'error_code', nullable: true })
  errorCode: string | null;

  @Column({ type: 'text', nullable: true })
  model: string | null;

  @Column({ type: 'integer', name: 'prompt_chars', nullable: true })
  promptChars: number | null;

  @Column({ type: 'integer', name: 'response_chars', nullable: true })
  responseChars: number | null;

  @Column({ type: 'integer', name: 'input_tokens', nullable: true })
  inputTokens: number | null;

  @Column({ type: 'integer', name: 'output_tokens', nullable: true })
  outputTokens: number | null;

  @Column({ type: 'real', name: 'cost_usd', nullable: true })
  costUsd: number | null;

  @Column({ type: 'integer', name: 'tools_refused', nullable: true })
  toolsRefused: number | null;

  @Column({ type: 'text', name: 'session_id', nullable: true })
  sessionId: string | null;

  @Column({ type: 'integer', name: 'turn_index', nullable: true })
  turnIndex: number | null;

  @Column({ type: 'integer', name: 'queue_ms', nullable: true })
  queueMs: number | null;

  /** The end user the app named for this request (the /v1 routes' `user` or `metadata.user_id`). */
  @Column({ type: 'text', name: 'end_user', nullable: true })
  endUser: string | null;

  /**
   * How many requests the row stands for, absent (null) for one: a summary of the refusals of a
   * peer outside the allowlist in one minute past those that got rows of their own (RefusalSampler).
   */
  @Column({ type: 'integer', nullable: true })
  requests?: number | null;

  /** Answered from the answer kept for its Idempotency-Key: nothing ran, nothing was billed. Null otherwise. */
  @Column({ type: 'boolean', nullable: true })
  replayed?: boolean | null;
}
