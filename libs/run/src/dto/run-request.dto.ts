import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsArgvText, JSON_OBJECT_SCHEMA, MAX_ARGV_TEXT_BYTES, StreamableRequestDto } from '@clawdforge/core';

export const MAX_FILES_PER_RUN = 20;

export class RunRequestDto extends StreamableRequestDto {
  @ApiProperty({ description: 'The prompt; sent to the CLI on stdin', example: "Sterilize this ingredient line: 'about 2 cups of cooked white rice'" })
  @IsString({ message: 'prompt must be a string' })
  @IsNotEmpty({ message: 'prompt must not be empty' })
  prompt: string;

  @ApiPropertyOptional({ description: 'A claude CLI alias (sonnet, opus, haiku, …) or a claude-… model id; DEFAULT_MODEL when absent', example: 'sonnet' })
  @IsOptional()
  @IsString({ message: 'model must be a string' })
  @MaxLength(72)
  model?: string;

  @ApiPropertyOptional({
    description: `Replaces Claude Code’s default system prompt for this run; at most ${MAX_ARGV_TEXT_BYTES} bytes as UTF-8, no NUL`,
    example: 'You are a precise recipe parser. Always reply with valid JSON.',
  })
  @IsOptional()
  @IsString({ message: 'system must be a string' })
  @IsArgvText()
  system?: string;

  @ApiPropertyOptional({
    description: 'File tokens from POST /files. Images and PDFs reach the model as content blocks, text files as text, before the prompt.',
    type: [String],
    example: ['ff_Jq3v9yXkzQm1b2c3d4e5f6g7h8i9j0kL'],
    maxItems: MAX_FILES_PER_RUN,
  })
  @IsOptional()
  @IsArray({ message: 'files must be an array of file tokens' })
  @ArrayMaxSize(MAX_FILES_PER_RUN, { message: `files may hold at most ${MAX_FILES_PER_RUN} file tokens` })
  @IsString({ each: true, message: 'files must hold file tokens (ff_…)' })
  @Matches(/^ff_[A-Za-z0-9_-]{1,128}$/, { each: true, message: 'files must hold file tokens (ff_…)' })
  files?: string[];

  @ApiPropertyOptional({ description: 'Seconds before the run is stopped with 504, 1..3600', default: 120, example: 60 })
  @IsOptional()
  @IsInt({ message: 'timeout_secs must be a whole number' })
  @Min(1, { message: 'timeout_secs must be at least 1' })
  @Max(3600, { message: 'timeout_secs must be at most 3600' })
  timeout_secs?: number;


  @ApiPropertyOptional({
    description: `JSON Schema the answer must follow; \`result\` is then the structured object. At most ${MAX_ARGV_TEXT_BYTES} bytes as JSON`,
    example: { type: 'object', properties: { qty: { type: 'number' }, unit: { type: 'string' } }, required: ['qty', 'unit'] },
    ...JSON_OBJECT_SCHEMA,
  })
  @IsOptional()
  @IsObject({ message: 'json_schema must be a JSON object' })
  json_schema?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Answer 202 at once with a run_id; the run goes on whatever becomes of this connection. Its state and answer: GET /runs/{run_id}; its events: GET /runs/{run_id}/events',
    default: false,
    example: false,
  })
  @IsOptional()
  @IsBoolean({ message: 'background must be true or false' })
  background?: boolean;
}
