import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsArgvText, MAX_ARGV_TEXT_BYTES } from '@clawdforge/core';

export class CreateSessionDto {
  @ApiPropertyOptional({ description: 'An agent named in SESSION_AGENTS', default: 'claude', example: 'claude' })
  @IsOptional()
  @IsString({ message: 'agent must be a string' })
  @MaxLength(32)
  agent?: string;

  @ApiPropertyOptional({ description: 'Model for the whole session; DEFAULT_MODEL when absent', example: 'sonnet' })
  @IsOptional()
  @IsString({ message: 'model must be a string' })
  @MaxLength(72)
  model?: string;

  @ApiPropertyOptional({
    description: `Replaces the agent’s system prompt for the whole session; at most ${MAX_ARGV_TEXT_BYTES} bytes as UTF-8, no NUL`,
    example: 'You are a careful SQL reviewer.',
  })
  @IsOptional()
  @IsString({ message: 'system must be a string' })
  @IsArgvText()
  system?: string;
}
