import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
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
import { clientGoneSignal, codeList, ErrorBodyDto, InvalidRequestError, requestContext, SseStream, streamTo, wantsEventStream } from '@clawdforge/core';
import { Idempotent } from '@clawdforge/idempotency';
import { RunRequestDto } from './dto/run-request.dto';
import { RunResponseDto } from './dto/run-response.dto';
import { RunService } from './run.service';
import { BackgroundRunAccepted } from './background/background-run.view';
import { BackgroundRuns } from './background/background-runs.service';

@ApiTags('run')
@AppTokenAuth()
@Controller('run')
export class RunController {
  constructor(
    private readonly runs: RunService,
    private readonly background: BackgroundRuns,
  ) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Run one prompt through claude -p',
    description:
      'Waits for a run slot (MAX_CONCURRENT_RUNS, shared fairly between tokens), runs the CLI in a fresh directory with no tools unless RUN_TOOLS says otherwise, and returns its answer. A client that disconnects stops the run.',
  })
  @ApiAcceptedResponse({ type: BackgroundRunAccepted, description: 'With `"background": true`: the run is queued and goes on without this connection; `Location: /runs/{run_id}`' })
  @ApiOkResponse({
    type: RunResponseDto,
    description:
      'With `Accept: text/event-stream` or `"stream": true`: Server-Sent Events once the run has a slot — `delta` {text} as the model writes, `tool_use` {id, name}, then one `result` (this body) or one `error` ({"ok":false,"error":…}). Errors before the run starts are plain JSON answers.',
  })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming the field, ${codeList('model_not_allowed')}` })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: `${codeList('file_not_found')} naming the file token: unknown, expired, or another token’s` })
  @ApiPayloadTooLargeResponse({ type: ErrorBodyDto, description: `${codeList('attachments_too_large')}: the files total more than RUN_ATTACHMENTS_MAX_BYTES` })
  @ApiTooManyRequestsResponse({
    type: ErrorBodyDto,
    description: `${codeList('queue_full')}, ${codeList('rate_limited')} (runs_per_minute), ${codeList('budget_exceeded')} (the token’s day or month budget is spent, or the run reached what was left of it); each with Retry-After`,
  })
  @ApiBadGatewayResponse({
    type: ErrorBodyDto,
    description: `${codeList('cli_failed')} (the CLI or the upstream API failed; its message, sanitised), ${codeList('output_too_large')}, ${codeList('structured_output_missing')} (json_schema was given and the model did not follow it), ${codeList('interrupted')} (a retry whose Idempotency-Key’s first request was cut short by the server stopping: not run again)`,
  })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: `${codeList('cli_not_found', 'shutting_down')}, ${codeList('upstream_auth')} (the claude login is missing or expired), ${codeList('upstream_unavailable')} (every Claude login is cooling after a limit, with Retry-After)`,
  })
  @ApiGatewayTimeoutResponse({ type: ErrorBodyDto, description: `${codeList('timeout')}: timeout_secs passed and the run was stopped` })
  async run(@CurrentToken() token: TokenPrincipal, @Body() body: RunRequestDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const request = requestContext(req);
    const audit = request.audit;
    if (body.background === true) {
      if (wantsEventStream(req, body)) throw new InvalidRequestError('a background run streams through GET /runs/{run_id}/events, not its POST', 'stream');
      const run = await this.background.start(token, body, request);
      res.status(202).location(`/runs/${run.runId}`).json({ ok: true, run_id: run.runId, status: run.status });
      return;
    }
    const signal = clientGoneSignal(res, audit);
    if (!wantsEventStream(req, body)) {
      res.status(200).json(await this.runs.run(token, body, request, signal));
      return;
    }
    const stream = new SseStream(res);
    await streamTo(stream, req, audit, () =>
      this.runs.run(token, body, request, signal, {
        started: () => stream.open(),
        event: (event) => {
          if (event.type === 'delta') stream.send('delta', { text: event.text });
          else if (event.type === 'tool_use') stream.send('tool_use', { id: event.id, name: event.name });
        },
      }),
    );
  }
}
