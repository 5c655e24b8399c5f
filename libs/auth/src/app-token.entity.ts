import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isoTimestamp } from '@clawdforge/core';

/** An app's bearer token. Only the SHA-256 of the token is kept; the plaintext is shown once. */
@Entity('app_tokens')
export class AppToken {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', name: 'token_hash' })
  tokenHash: string;

  /** Extra per-token allowlist on top of the global one; null when the token has none. */
  @Column({ type: 'simple-json', name: 'ip_cidrs', nullable: true })
  ipCidrs: string[] | null;

  @Column({ type: 'text', name: 'created_at', transformer: isoTimestamp })
  createdAt: Date;

  @Column({ type: 'text', name: 'last_used_at', nullable: true, transformer: isoTimestamp })
  lastUsedAt: Date | null;

  @Column({ type: 'text', name: 'revoked_at', nullable: true, transformer: isoTimestamp })
  revokedAt: Date | null;
}
