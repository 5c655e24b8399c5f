import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isoTimestamp } from '@clawdforge/core';

export type BackgroundRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** A run started with `"background": true`: its state, and once it ended, the answer a plain /run would have given. */
@Entity('background_runs')
export class BackgroundRun {
  @PrimaryGeneratedColumn()
  id: number;

  /** `run_…`: the id clients see. */
  @Column({ type: 'text', name: 'run_id' })
  runId: string;

  @Column({ type: 'integer', name: 'token_id' })
  tokenId: number;

  /** The instance whose process runs it. */
  @Column({ type: 'text', name: 'instance_id' })
  instanceId: string;

  @Column({ type: 'text' })
  status: BackgroundRunStatus;

  /** The request body, as JSON. */
  @Column({ type: 'text' })
  request: string;

  /** The status a plain /run would have answered, once it ended. */
  @Column({ type: 'integer', name: 'http_status', nullable: true })
  httpStatus: number | null;

  /** The body a plain /run would have answered (or its error body), as JSON, once it ended. */
  @Column({ type: 'text', nullable: true })
  answer: string | null;

  @Column({ type: 'text', name: 'created_at', transformer: isoTimestamp })
  createdAt: Date;

  @Column({ type: 'text', name: 'started_at', nullable: true, transformer: isoTimestamp })
  startedAt: Date | null;

  @Column({ type: 'text', name: 'finished_at', nullable: true, transformer: isoTimestamp })
  finishedAt: Date | null;

  /** RUN_RESULT_TTL_SECS after it ended: then it and its events are swept. */
  @Column({ type: 'text', name: 'expires_at', nullable: true, transformer: isoTimestamp })
  expiresAt: Date | null;
}

/** One event of a background run's stream, numbered from 1. */
@Entity('background_run_events')
export class BackgroundRunEvent {
  @Column({ type: 'text', name: 'run_id', primary: true })
  runId: string;

  @Column({ type: 'integer', primary: true })
  seq: number;

  @Column({ type: 'text' })
  event: string;

  /** The event's data, as JSON. */
  @Column({ type: 'text' })
  data: string;
}
