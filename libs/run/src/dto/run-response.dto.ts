import { ApiProperty } from '@nestjs/swagger';
import { ANY_JSON_VALUE_SCHEMA, ApiOkTrue } from '@clawdforge/core';

export class RunUsageDto {
  @ApiProperty({ nullable: true, type: Number, example: 1200 }) input_tokens: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 35 }) output_tokens: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0 }) cache_creation_input_tokens: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0 }) cache_read_input_tokens: number | null;
}

export class RunResponseDto {
  @ApiOkTrue() ok: true;

  @ApiProperty({
    description: 'The model’s answer with one code fence stripped, JSON-parsed when it parses, else the string; the structured object when json_schema was given',
    example: { qty: 2, unit: 'cup', food: 'rice', note: 'cooked, white', approx: true },
    ...ANY_JSON_VALUE_SCHEMA,
  })
  result: unknown;

  @ApiProperty({ description: 'Wall time of the CLI run', example: 4321 }) duration_ms: number;
  @ApiProperty({ nullable: true, type: String, example: 'end_turn' }) stop_reason: string | null;
  @ApiProperty({ description: 'Time spent waiting for a run slot', example: 0 }) queue_ms: number;
  @ApiProperty({ nullable: true, type: String, description: 'The model the CLI used, aliases resolved', example: 'claude-sonnet-4-5' }) model: string | null;
  @ApiProperty({ type: RunUsageDto }) usage: RunUsageDto;
  @ApiProperty({ nullable: true, type: Number, example: 0.0123 }) cost_usd: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The CLI’s own session id for this run', example: '0b7c…' }) session_id: string | null;
  @ApiProperty({ description: 'Tool calls refused during the run (outside the run’s directory, or not granted by RUN_TOOLS); each went back to the model as a tool error', example: 0 })
  tools_refused: number;
}
