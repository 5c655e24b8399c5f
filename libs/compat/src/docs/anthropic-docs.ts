import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class MessageParamDoc {
  @ApiProperty({ enum: ['user', 'assistant'], example: 'user' }) role: string;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }], description: 'A string, or text and base64 image blocks', example: 'Hello!' }) content: unknown;
}

export class MessagesRequestDoc {
  @ApiProperty({ description: 'A claude alias or id, or a name mapped by MODEL_ALIASES', example: 'claude-sonnet-4-5' }) model: string;
  @ApiProperty({ type: [MessageParamDoc], example: [{ role: 'user', content: 'Hello!' }] }) messages: MessageParamDoc[];
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }], description: 'A string or text blocks', example: 'You are terse.' }) system?: unknown;
  @ApiPropertyOptional({ description: 'Advisory: the CLI takes no token limit', example: 1024 }) max_tokens?: number;
  @ApiPropertyOptional({ default: false, example: false }) stream?: boolean;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Structured output (through the CLI’s --json-schema); also as output_config.format', example: { type: 'json_schema', schema: { type: 'object' } } })
  output_format?: unknown;
  @ApiPropertyOptional({ description: 'Accepted and ignored, as are top_p and top_k', example: 0.2 }) temperature?: number;
}

export class MessageDoc {
  @ApiProperty({ example: 'msg_0b7c…' }) id: string;
  @ApiProperty({ example: 'message' }) type: string;
  @ApiProperty({ example: 'assistant' }) role: string;
  @ApiProperty({ description: 'The model that served the run', example: 'claude-sonnet-4-5' }) model: string;
  @ApiProperty({ example: [{ type: 'text', text: 'Hello!' }] }) content: unknown[];
  @ApiProperty({ example: 'end_turn' }) stop_reason: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } }) usage: unknown;
}
