import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isoTimestamp } from '@clawdforge/core';

export type SessionStatus = 'open' | 'closed';

/** The ledger row of one agent session; acpx keeps the conversation itself. */
@Entity('agent_sessions')
export class AgentSession {
  /** Creation order, for paging. */
  @PrimaryGeneratedColumn()
  seq: number;

  /** The public id (a UUID), also the acpx session name. */
  @Column({ type: 'text' })
  id: string;

  @Column({ type: 'integer', name: 'owner_token_id' })
  ownerTokenId: number;

  @Column({ type: 'text' })
  agent: string;

  @Column({ type: 'text' })
  model: string;

  @Column({ type: 'text', name: 'system_prompt', nullable: true })
  systemPrompt: string | null;

  @Column({ type: 'text' })
  cwd: string;

  @Column({ type: 'text' })
  status: SessionStatus;

  /** Set while a turn runs; a crash can leave it set, so boot clears it. */
  @Column({ type: 'boolean' })
  busy: boolean;

  @Column({ type: 'integer', name: 'turn_count' })
  turnCount: number;

  /** The agent's own running total of its cost, as of the last turn; a turn's cost is what it adds. */
  @Column({ type: 'real', name: 'agent_cost_usd', nullable: true })
  agentCostUsd: number | null;

  /** The label of the Claude login (CLAUDE_CONFIG_DIRS) the session runs on for its whole life; null: the first. */
  @Column({ type: 'text', name: 'claude_login', nullable: true })
  claudeLogin: string | null;

  /** The instance whose acpx holds the session (InstanceIdentity); only it may drive, close or sweep the session. */
  @Column({ type: 'text', name: 'instance_id', nullable: true })
  instanceId: string | null;

  @Column({ type: 'text', name: 'created_at', transformer: isoTimestamp })
  createdAt: Date;

  @Column({ type: 'text', name: 'last_activity_at', transformer: isoTimestamp })
  lastActivityAt: Date;

  @Column({ type: 'text', name: 'closed_at', nullable: true, transformer: isoTimestamp })
  closedAt: Date | null;
}
