import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import { StreamableRequestDto } from '@clawdforge/core';

export const DEFAULT_TURN_TIMEOUT_SECS = 300;

export class TurnRequestDto extends StreamableRequestDto {
  @ApiProperty({ description: 'The message for the agent; sent to acpx on stdin', example: 'Help me draft a SQL migration. First describe what you need to know.' })
  @IsString({ message: 'prompt must be a string' })
  @IsNotEmpty({ message: 'prompt must not be empty' })
  prompt: string;

  @ApiPropertyOptional({ description: 'Seconds before the turn is cancelled with 504, 1..3600', default: DEFAULT_TURN_TIMEOUT_SECS, example: 120 })
  @IsOptional()
  @IsInt({ message: 'timeout_secs must be a whole number' })
  @Min(1, { message: 'timeout_secs must be at least 1' })
  @Max(3600, { message: 'timeout_secs must be at most 3600' })
  timeout_secs?: number;
}
