import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MaxLength } from 'class-validator';
import { MAX_PAGE_SIZE } from '@clawdforge/core';

/** GET /admin/sessions and /admin/files: the newest `limit` rows, of one app or of all. */
export class OwnerQueryDto {
  @ApiPropertyOptional({ description: 'Only this token name (every rotation of it)', example: 'cauldron' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  token?: string;

  @ApiPropertyOptional({ description: `How many, newest first, at most ${MAX_PAGE_SIZE}`, default: 100, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `limit must be at most ${MAX_PAGE_SIZE}` })
  limit: number = 100;
}
