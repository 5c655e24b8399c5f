import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ErrorBodyDto } from '@clawdforge/core';
import { RunResponseDto } from '../dto/run-response.dto';
import type { BackgroundRun, BackgroundRunStatus } from './background-run.entity';

const STATUSES: BackgroundRunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];

/** A background run as GET /runs/{run_id} answers it. */
export class BackgroundRunView {
  @ApiProperty({ example: true }) ok: true;
  @ApiProperty({ example: 'run_Jq3v9yXkzQm1b2c3d4e5f6g7' }) run_id: string;
  @ApiProperty({ enum: STATUSES, example: 'succeeded' }) status: BackgroundRunStatus;
  @ApiProperty({ example: '2026-12-02T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, example: '2026-12-02T10:00:00.050Z' }) started_at: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2026-12-02T10:00:04.200Z' }) finished_at: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The status a plain POST /run would have answered, once the run ended', example: 200 }) http_status: number | null;
  @ApiProperty({
    nullable: true,
    oneOf: [{ $ref: getSchemaPath(RunResponseDto) }, { $ref: getSchemaPath(ErrorBodyDto) }],
    description: 'The body a plain POST /run would have answered (its answer, or its error body), once the run ended',
    example: { ok: true, result: 'done', stop_reason: 'end_turn' },
  })
  response: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the run and its events are swept (RUN_RESULT_TTL_SECS after it ended)', example: '2026-12-03T10:00:04.200Z' })
  expires_at: string | null;

  static of(this: void, run: BackgroundRun): BackgroundRunView {
    return {
      ok: true,
      run_id: run.runId,
      status: run.status,
      created_at: run.createdAt.toISOString(),
      started_at: run.startedAt?.toISOString() ?? null,
      finished_at: run.finishedAt?.toISOString() ?? null,
      http_status: run.httpStatus,
      response: run.answer === null ? null : (JSON.parse(run.answer) as Record<string, unknown>),
      expires_at: run.expiresAt?.toISOString() ?? null,
    };
  }
}

/** What POST /run answers with `"background": true`. */
export class BackgroundRunAccepted {
  @ApiProperty({ example: true }) ok: true;
  @ApiProperty({ example: 'run_Jq3v9yXkzQm1b2c3d4e5f6g7' }) run_id: string;
  @ApiProperty({ enum: ['queued'], example: 'queued' }) status: 'queued';
}

export class BackgroundRunPage {
  @ApiProperty({ example: true }) ok: true;
  @ApiProperty({ type: [BackgroundRunView] }) items: BackgroundRunView[];
  @ApiProperty({ nullable: true, type: String, example: null }) next_cursor: string | null;
}
