import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppTokenAuth, CurrentToken, TokenPrincipal } from '@clawdforge/auth';
import { clientGoneSignal, ErrorBodyDto, requestContext } from '@clawdforge/core';
import { RunRequestDto } from './dto/run-request.dto';
import { RunResponseDto } from './dto/run-response.dto';
import { RunService } from './run.service';

@ApiTags('run')
@AppTokenAuth()
@Controller('run')
export class RunController {
  constructor(private readonly runs: RunService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run one prompt through claude -p',
    description:
      'Waits for a run slot (MAX_CONCURRENT_RUNS, shared fairly between tokens), runs the CLI in a fresh directory with no tools unless RUN_TOOLS says otherwise, and returns its answer. A client that disconnects stops the run.',
  })
  @ApiOkResponse({ type: RunResponseDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: '`invalid_request` naming the field, `model_not_allowed`' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: '`file_not_found` naming the file token: unknown, expired, or another token’s' })
  @ApiPayloadTooLargeResponse({ type: ErrorBodyDto, description: '`attachments_too_large`: the files total more than RUN_ATTACHMENTS_MAX_BYTES' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: '`queue_full`, with Retry-After' })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: '`cli_failed` (the CLI or the upstream API failed; its message, sanitised), `output_too_large`' })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: '`cli_not_found`, `shutting_down`' })
  @ApiGatewayTimeoutResponse({ type: ErrorBodyDto, description: '`timeout`: timeout_secs passed and the run was stopped' })
  run(
    @CurrentToken() token: TokenPrincipal,
    @Body() body: RunRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RunResponseDto> {
    const audit = requestContext(req).audit;
    return this.runs.run(token, body, audit, clientGoneSignal(res, audit));
  }
}
