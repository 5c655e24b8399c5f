import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@clawdforge/core';
import type { UsageGrouping } from '@clawdforge/usage';

export const USAGE_GROUPINGS: UsageGrouping[] = ['token', 'day', 'model'];

export class UsageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only this token name (spend follows a name across rotations)', example: 'cauldron' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  token?: string;

  @ApiPropertyOptional({ description: 'From this ISO-8601 time (inclusive)', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'Until this ISO-8601 time (exclusive)', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;

  @ApiPropertyOptional({ enum: USAGE_GROUPINGS, default: 'token', description: 'One item per token, per token and UTC day, or per token and model' })
  @IsOptional()
  @IsIn(USAGE_GROUPINGS, { message: 'group_by must be one of day, model, token' })
  group_by?: UsageGrouping;
}
