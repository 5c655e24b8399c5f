import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiOkTrue } from '@clawdforge/core';
import type { TokenPolicy } from '@clawdforge/auth';

export class UsageTotalsView {
  @ApiProperty({ example: 12 }) runs: number;
  @ApiProperty({ example: 3 }) turns: number;
  @ApiProperty({ example: 5400 }) input_tokens: number;
  @ApiProperty({ example: 1200 }) output_tokens: number;
  @ApiProperty({ example: 0 }) cache_read_tokens: number;
  @ApiProperty({ description: 'The CLI’s own total_cost_usd, summed, unrounded', example: 0.0432 }) cost_usd: number;
}

export class UsageGroupView extends UsageTotalsView {
  @ApiProperty({ description: 'The token’s name (spend follows the name across rotations)', example: 'cauldron' }) token: string;
  @ApiPropertyOptional({ description: 'UTC day, with group_by=day', example: '2026-11-26' }) day?: string;
  @ApiPropertyOptional({ description: 'Model as requested, with group_by=model', example: 'sonnet', nullable: true, type: String }) model?: string | null;
}

export class UsagePage {
  @ApiOkTrue() ok: true;
  @ApiProperty({ type: [UsageGroupView] }) items: UsageGroupView[];
  @ApiProperty({ nullable: true, type: String, example: null }) next_cursor: string | null;
}

export class TokenLimitsView {
  @ApiProperty({ type: [String], nullable: true, example: ['haiku'] }) models: string[] | null;
  @ApiProperty({ nullable: true, type: Number, example: 2 }) max_concurrent_runs: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 30 }) runs_per_minute: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 5 }) budget_usd_day: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 100 }) budget_usd_month: number | null;

  static of(policy: TokenPolicy): TokenLimitsView {
    return {
      models: policy.models,
      max_concurrent_runs: policy.maxConcurrentRuns,
      runs_per_minute: policy.runsPerMinute,
      budget_usd_day: policy.budgetUsdDay,
      budget_usd_month: policy.budgetUsdMonth,
    };
  }
}

export class OwnUsageResponse {
  @ApiOkTrue() ok: true;
  @ApiProperty({ example: 'cauldron' }) token: string;
  @ApiProperty({ type: UsageTotalsView, description: 'This UTC day so far' }) today: UsageTotalsView;
  @ApiProperty({ type: UsageTotalsView, description: 'This UTC month so far' }) month: UsageTotalsView;
  @ApiProperty({ type: TokenLimitsView }) limits: TokenLimitsView;
  @ApiProperty({ nullable: true, type: Number, description: 'Dollars left of the day’s budget; null without one', example: 4.96 }) budget_left_day: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Dollars left of the month’s budget; null without one', example: 99.1 }) budget_left_month: number | null;
}
