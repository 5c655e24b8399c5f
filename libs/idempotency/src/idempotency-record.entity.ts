import { Column, Entity, PrimaryColumn } from 'typeorm';
import { isoTimestamp } from '@clawdforge/core';

/**
 * One Idempotency-Key of one token: the request it was first sent with (as a fingerprint), and once
 * that request was answered, the answer, kept until `expiresAt` to be given again to a retry.
 */
@Entity('idempotency_keys')
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'integer', name: 'token_id' })
  tokenId: number;

  @PrimaryColumn({ type: 'text' })
  key: string;

  /** sha256 of the request's method, path, Accept and body. */
  @Column({ type: 'text' })
  fingerprint: string;

  /** `running` while the first request is being answered; `done` once its answer is kept. */
  @Column({ type: 'text' })
  state: 'running' | 'done';

  /** The instance answering it (for the crash that leaves it running). */
  @Column({ type: 'text', name: 'instance_id', nullable: true })
  instanceId: string | null;

  @Column({ type: 'integer', nullable: true })
  status: number | null;

  /** The answer's headers that matter (content type, the gateway's own), as JSON. */
  @Column({ type: 'text', nullable: true })
  headers: string | null;

  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ type: 'text', name: 'created_at', transformer: isoTimestamp })
  createdAt: Date;

  @Column({ type: 'text', name: 'expires_at', transformer: isoTimestamp })
  expiresAt: Date;
}
