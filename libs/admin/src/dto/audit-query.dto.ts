import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@clawdforge/core';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only rows of this token name (`admin` for the admin token)', example: 'cauldron' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  token?: string;

  @ApiPropertyOptional({ description: 'Only rows of this route pattern', example: '/run' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  route?: string;

  @ApiPropertyOptional({ description: 'Only rows at or after this ISO-8601 time', example: '2026-11-24T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;
}
