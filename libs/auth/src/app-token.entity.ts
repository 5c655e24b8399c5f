import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isoTimestamp } from '@clawdforge/core';
import { TokenPolicy } from './token-policy';

/** An app's bearer token. Only the SHA-256 of the token is kept; the plaintext is shown once. */
@Entity('app_tokens')
export class AppToken implements TokenPolicy {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', name: 'token_hash' })
  tokenHash: string;

  /** Extra per-token allowlist on top of the global one; null when the token has none. */
  @Column({ type: 'simple-json', name: 'ip_cidrs', nullable: true })
  ipCidrs: string[] | null;

  @Column({ type: 'simple-json', nullable: true })
  models: string[] | null;

  @Column({ type: 'integer', name: 'max_concurrent_runs', nullable: true })
  maxConcurrentRuns: number | null;

  @Column({ type: 'integer', name: 'runs_per_minute', nullable: true })
  runsPerMinute: number | null;

  @Column({ type: 'real', name: 'budget_usd_day', nullable: true })
  budgetUsdDay: number | null;

  @Column({ type: 'real', name: 'budget_usd_month', nullable: true })
  budgetUsdMonth: number | null;

  @Column({ type: 'text', name: 'created_at', transformer: isoTimestamp })
  createdAt: Date;

  @Column({ type: 'text', name: 'last_used_at', nullable: true, transformer: isoTimestamp })
  lastUsedAt: Date | null;

  @Column({ type: 'text', name: 'revoked_at', nullable: true, transformer: isoTimestamp })
  revokedAt: Date | null;
}
