import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ChatMessageDoc {
  @ApiProperty({ enum: ['system', 'developer', 'user', 'assistant'], example: 'user' }) role: string;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }], description: 'A string, or text and image_url parts (data: URLs only)', example: 'Hello!' }) content: unknown;
}

export class ChatCompletionRequestDoc {
  @ApiProperty({ description: 'A claude alias or id, or a name mapped by MODEL_ALIASES', example: 'sonnet' }) model: string;
  @ApiProperty({ type: [ChatMessageDoc], example: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Hello!' }] }) messages: ChatMessageDoc[];
  @ApiPropertyOptional({ default: false, example: false }) stream?: boolean;
  @ApiPropertyOptional({ type: 'object', properties: { include_usage: { type: 'boolean' } }, example: { include_usage: true } }) stream_options?: { include_usage?: boolean };
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'json_object or json_schema (through the CLI’s --json-schema)', example: { type: 'json_schema', json_schema: { name: 'qty', schema: { type: 'object' } } } })
  response_format?: unknown;
  @ApiPropertyOptional({ description: 'Advisory: the CLI takes no token limit', example: 1024 }) max_tokens?: number;
  @ApiPropertyOptional({ description: 'Accepted and ignored, as are top_p, seed and the penalties', example: 0.2 }) temperature?: number;
  @ApiPropertyOptional({ description: 'Audited as the end user (also safety_identifier)', example: 'user-1234' }) user?: string;
}

class ChatChoiceDoc {
  @ApiProperty({ example: 0 }) index: number;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { role: 'assistant', content: 'Hello!', refusal: null } }) message: unknown;
  @ApiProperty({ enum: ['stop', 'length', 'tool_calls'], example: 'stop' }) finish_reason: string;
}

export class ChatCompletionDoc {
  @ApiProperty({ example: 'chatcmpl-0b7c…' }) id: string;
  @ApiProperty({ example: 'chat.completion' }) object: string;
  @ApiProperty({ example: 1767225600 }) created: number;
  @ApiProperty({ description: 'The model that served the run', example: 'claude-sonnet-4-5' }) model: string;
  @ApiProperty({ type: [ChatChoiceDoc] }) choices: ChatChoiceDoc[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30, prompt_tokens_details: { cached_tokens: 0 } } }) usage: unknown;
}

export class ModelListDoc {
  @ApiProperty({ example: 'list' }) object: string;
  @ApiProperty({ example: [{ id: 'sonnet', object: 'model', created: 1767225600, owned_by: 'anthropic' }] }) data: unknown[];
}
