import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentToken, TokenPrincipal } from '@clawdforge/auth';
import { AppConfig, requestContext } from '@clawdforge/core';
import { Idempotent } from '@clawdforge/idempotency';
import { CompatRunErrors, CompatTokenAuth } from '../docs/compat-auth.decorator';
import { WireRuns } from '../compat-tool-run';
import { OpenAiErrorDoc } from '../docs/error-docs';
import { ChatCompletionDoc, ChatCompletionRequestDoc } from '../docs/openai-docs';
import { echoRequestId } from '../wire-errors';
import { OpenAiExceptionFilter } from '../wire-exception.filters';
import { parseChatRequest } from './chat-request';
import { chatCompletion, chatToolCalls } from './chat-response';
import { ChatCompletionStream } from './chat-stream';

@ApiTags('openai')
@CompatTokenAuth(OpenAiErrorDoc)
@UseFilters(OpenAiExceptionFilter)
@Controller('v1/chat')
export class ChatCompletionsController {
  constructor(
    private readonly wire: WireRuns,
    private readonly config: AppConfig,
  ) {}

  @Post('completions')
  @Idempotent(OpenAiErrorDoc)
  @ApiOperation({
    summary: 'OpenAI Chat Completions over claude -p',
    description:
      'The same run as POST /run, under the same token policy, budgets, ledger and audit, in OpenAI’s wire format. The whole `messages` history reaches the model; `system`/`developer` messages become the system prompt. `tools` (functions) are offered to the model as they are; an answer that calls them has `finish_reason: "tool_calls"`, and the next request with the `tool` messages continues the same run while it waits (`x-clawdforge-tool-resume: parked`) or replays the history (`replayed`). tool_choice other than auto/none, n > 1, logprobs, stop, audio and remote image URLs are refused with 400 naming the parameter. The cost is in `x-clawdforge-cost-usd`.',
  })
  @ApiBody({ type: ChatCompletionRequestDoc })
  @ApiOkResponse({ type: ChatCompletionDoc, description: 'With `"stream": true`: `chat.completion.chunk` data frames, then `data: [DONE]`' })
  @CompatRunErrors(OpenAiErrorDoc)
  async create(@CurrentToken() token: TokenPrincipal, @Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    echoRequestId(req, res);
    const request = parseChatRequest(body, this.config);
    const id = `chatcmpl-${requestContext(req).requestId ?? 'local'}`;
    const created = Math.floor(Date.now() / 1000);
    await this.wire.serve(token, request, req, res, {
      format: 'openai',
      body: (outcome) => chatCompletion(id, created, request.model, outcome),
      calls: (step) => chatToolCalls(id, created, request.model, step),
      stream: () => new ChatCompletionStream(res, id, created, request.model, { includeUsage: request.includeUsage, structured: request.jsonSchema !== undefined }),
    });
  }
}
