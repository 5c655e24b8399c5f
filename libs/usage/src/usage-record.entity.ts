import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isoTimestamp } from '@clawdforge/core';

/** One run or session turn's usage and cost, kept for reports and budgets. */
@Entity('usage_records')
export class UsageRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text', transformer: isoTimestamp })
  at: Date;

  @Column({ type: 'integer', name: 'token_id' })
  tokenId: number;

  /** Budgets and reports go by name, so rotating a token (revoke, mint the name again) keeps its spend. */
  @Column({ type: 'text', name: 'token_name' })
  tokenName: string;

  @Column({ type: 'text' })
  kind: 'run' | 'turn';

  @Column({ type: 'text', nullable: true })
  model: string | null;

  /** `ok` or the error code the run or turn ended with. */
  @Column({ type: 'text' })
  outcome: string;

  @Column({ type: 'integer', name: 'input_tokens' })
  inputTokens: number;

  @Column({ type: 'integer', name: 'output_tokens' })
  outputTokens: number;

  @Column({ type: 'integer', name: 'cache_read_tokens' })
  cacheReadTokens: number;

  @Column({ type: 'integer', name: 'cache_creation_tokens' })
  cacheCreationTokens: number;

  /** The CLI's own total_cost_usd (or the agent's reported cost), unrounded. */
  @Column({ type: 'real', name: 'cost_usd' })
  costUsd: number;
}
