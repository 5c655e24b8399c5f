import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
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

  @ApiPropertyOptional({ description: 'Only rows before this ISO-8601 time', example: '2026-11-25T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;

  @ApiPropertyOptional({ description: 'Only rows of this status: `failed` (400 and over), a class (`4xx`, `5xx`, …) or one status (`429`)', example: 'failed' })
  @IsOptional()
  @Matches(/^(failed|[1-5]xx|[1-5]\d\d)$/, { message: 'status must be failed, a class such as 4xx, or a status such as 429' })
  status?: string;

  @ApiPropertyOptional({
    description: 'Follow the log: only rows after this id, oldest first, at most `limit` (`next_cursor` is then null; ask again with the last id). `cursor` does not apply.',
    example: 42,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after_id must be a whole number' })
  @Min(0, { message: 'after_id must be at least 0' })
  after_id?: number;
}
