import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentToken, TokenPrincipal } from '@clawdforge/auth';
import { AppConfig, requestContext } from '@clawdforge/core';
import { Idempotent } from '@clawdforge/idempotency';
import { CompatRunErrors, CompatTokenAuth } from '../docs/compat-auth.decorator';
import { WireRuns } from '../compat-tool-run';
import { AnthropicErrorDoc } from '../docs/error-docs';
import { MessageDoc, MessagesRequestDoc } from '../docs/anthropic-docs';
import { echoRequestId } from '../wire-errors';
import { AnthropicExceptionFilter } from '../wire-exception.filters';
import { parseMessagesRequest } from './messages-request';
import { message, toolUseMessage } from './messages-response';
import { MessagesStream } from './messages-stream';

@ApiTags('anthropic')
@CompatTokenAuth(AnthropicErrorDoc)
@UseFilters(AnthropicExceptionFilter)
@Controller('v1/messages')
export class MessagesController {
  constructor(
    private readonly wire: WireRuns,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @Idempotent(AnthropicErrorDoc)
  @ApiOperation({
    summary: 'Anthropic Messages over claude -p',
    description:
      'The same run as POST /run, under the same token policy, budgets, ledger and audit, in Anthropic’s wire format. The whole `messages` history reaches the model; `system` becomes the system prompt. Client `tools` are offered to the model as they are; an answer that calls them has `stop_reason: "tool_use"`, and the next request with the `tool_result` blocks continues the same run while it waits (`x-clawdforge-tool-resume: parked`) or replays the history (`replayed`). Server tools, tool_choice other than auto/none, stop_sequences, thinking and URL images are refused with 400 naming the parameter. The cost is in `x-clawdforge-cost-usd`.',
  })
  @ApiBody({ type: MessagesRequestDoc })
  @ApiOkResponse({ type: MessageDoc, description: 'With `"stream": true`: message_start, content_block_start, content_block_delta…, content_block_stop, message_delta, message_stop' })
  @CompatRunErrors(AnthropicErrorDoc)
  async create(@CurrentToken() token: TokenPrincipal, @Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    echoRequestId(req, res);
    const request = parseMessagesRequest(body, this.config);
    const id = `msg_${(requestContext(req).requestId ?? 'local').replace(/-/g, '')}`;
    await this.wire.serve(token, request, req, res, {
      format: 'anthropic',
      body: (outcome) => message(id, request.model, outcome),
      calls: (step) => toolUseMessage(id, request.model, step),
      stream: () => new MessagesStream(res, id, request.model, request.jsonSchema !== undefined),
    });
  }
}
