import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ChatMessageDoc {
  @ApiProperty({ enum: ['system', 'developer', 'user', 'assistant'], example: 'user' }) role: string;
  @ApiProperty({ description: 'A string, or text and image_url parts (data: URLs only)', example: 'Hello!' }) content: unknown;
}

export class ChatCompletionRequestDoc {
  @ApiProperty({ description: 'A claude alias or id, or a name mapped by MODEL_ALIASES', example: 'sonnet' }) model: string;
  @ApiProperty({ type: [ChatMessageDoc] }) messages: ChatMessageDoc[];
  @ApiPropertyOptional({ default: false }) stream?: boolean;
  @ApiPropertyOptional({ example: { include_usage: true } }) stream_options?: { include_usage?: boolean };
  @ApiPropertyOptional({ description: 'json_object or json_schema (through the CLI’s --json-schema)', example: { type: 'json_schema', json_schema: { name: 'qty', schema: { type: 'object' } } } })
  response_format?: unknown;
  @ApiPropertyOptional({ description: 'Advisory: the CLI takes no token limit' }) max_tokens?: number;
  @ApiPropertyOptional({ description: 'Accepted and ignored, as are top_p, seed and the penalties' }) temperature?: number;
  @ApiPropertyOptional() user?: string;
}

class ChatChoiceDoc {
  @ApiProperty({ example: 0 }) index: number;
  @ApiProperty({ example: { role: 'assistant', content: 'Hello!', refusal: null } }) message: unknown;
  @ApiProperty({ enum: ['stop', 'length'], example: 'stop' }) finish_reason: string;
}

export class ChatCompletionDoc {
  @ApiProperty({ example: 'chatcmpl-0b7c…' }) id: string;
  @ApiProperty({ example: 'chat.completion' }) object: string;
  @ApiProperty({ example: 1767225600 }) created: number;
  @ApiProperty({ description: 'The model that served the run', example: 'claude-sonnet-4-5' }) model: string;
  @ApiProperty({ type: [ChatChoiceDoc] }) choices: ChatChoiceDoc[];
  @ApiProperty({ example: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30, prompt_tokens_details: { cached_tokens: 0 } } }) usage: unknown;
}

export class ModelListDoc {
  @ApiProperty({ example: 'list' }) object: string;
  @ApiProperty({ example: [{ id: 'sonnet', object: 'model', created: 1767225600, owned_by: 'anthropic' }] }) data: unknown[];
}
