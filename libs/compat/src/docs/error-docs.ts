import { ApiProperty } from '@nestjs/swagger';

class OpenAiErrorDetailDoc {
  @ApiProperty({ example: 'tools is not supported here: tool calling is not offered through this gateway' }) message: string;
  @ApiProperty({ example: 'invalid_request_error' }) type: string;
  @ApiProperty({ nullable: true, type: String, example: 'tools' }) param: string | null;
  @ApiProperty({ description: 'The clawdforge error code', example: 'unsupported_parameter' }) code: string;
}

/** OpenAI's error body. */
export class OpenAiErrorDoc {
  @ApiProperty({ type: OpenAiErrorDetailDoc }) error: OpenAiErrorDetailDoc;
}

class AnthropicErrorDetailDoc {
  @ApiProperty({ example: 'invalid_request_error' }) type: string;
  @ApiProperty({ example: 'stop_sequences is not supported here: the CLI cannot stop at a sequence' }) message: string;
}

/** Anthropic's error body. */
export class AnthropicErrorDoc {
  @ApiProperty({ example: 'error' }) type: 'error';
  @ApiProperty({ type: AnthropicErrorDetailDoc }) error: AnthropicErrorDetailDoc;
}
