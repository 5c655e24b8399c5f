import { ApiProperty } from '@nestjs/swagger';
import { ApiOkTrue } from '@clawdforge/core';
import type { AppToken } from '@clawdforge/auth';
import { TokenLimitsView } from '@clawdforge/usage';

/** A token as the admin API shows it: never the plaintext, never the hash. */
export class TokenView {
  @ApiProperty({ example: 'cauldron' })
  name: string;

  @ApiProperty({ type: [String], nullable: true, example: ['172.24.0.0/16'] })
  ip_cidrs: string[] | null;

  @ApiProperty({ type: [String], nullable: true, example: null }) models: string[] | null;
  @ApiProperty({ type: Number, nullable: true, example: null }) max_concurrent_runs: number | null;
  @ApiProperty({ type: Number, nullable: true, example: null }) runs_per_minute: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 5 }) budget_usd_day: number | null;
  @ApiProperty({ type: Number, nullable: true, example: null }) budget_usd_month: number | null;

  @ApiProperty({ example: '2026-11-24T14:00:00.000Z' })
  created_at: string;

  @ApiProperty({ nullable: true, type: String, example: '2026-11-24T15:30:00.000Z' })
  last_used_at: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  revoked_at: string | null;

  static of(token: AppToken): TokenView {
    return {
      name: token.name,
      ip_cidrs: token.ipCidrs,
      ...TokenLimitsView.of(token),
      created_at: token.createdAt.toISOString(),
      last_used_at: token.lastUsedAt?.toISOString() ?? null,
      revoked_at: token.revokedAt?.toISOString() ?? null,
    };
  }
}

export class TokenResponse extends TokenView {
  @ApiOkTrue()
  ok: true;
}

export class CreatedTokenResponse extends TokenResponse {
  @ApiProperty({ description: 'The plaintext token: shown this once, never stored', example: 'cf_3q2-7wEXAMPLEexampleEXAMPLEexampleEXAMPLE0' })
  token: string;
}

export class TokenPage {
  @ApiOkTrue()
  ok: true;

  @ApiProperty({ type: [TokenView] })
  items: TokenView[];

  @ApiProperty({ nullable: true, type: String, example: null })
  next_cursor: string | null;
}
