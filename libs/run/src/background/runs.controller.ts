import { Controller, Delete, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppTokenAuth, CurrentToken, TokenPrincipal } from '@clawdforge/auth';
import { OwnerForwarder } from '@clawdforge/cluster';
import { codeList, decodeCursor, ErrorBodyDto, InvalidRequestError, NotFoundError, PAGE_QUERY_ERRORS, PageQueryDto, toPage } from '@clawdforge/core';
import { BackgroundRun } from './background-run.entity';
import { BackgroundRuns, isEnded } from './background-runs.service';
import { RunResponseDto } from '../dto/run-response.dto';
import { BackgroundRunPage, BackgroundRunView } from './background-run.view';

/** `Last-Event-ID` or `?after=`: the number of the last event the reader has. */
function afterSeq(header: string | undefined, query: string | undefined): number {
  const value = header ?? query ?? '0';
  if (!/^\d{1,9}$/.test(value)) throw new InvalidRequestError('Last-Event-ID (or after) must be the number of an event of this run', header === undefined ? 'after' : 'Last-Event-ID');
  return Number(value);
}

@ApiTags('run')
@AppTokenAuth()
@ApiExtraModels(RunResponseDto, ErrorBodyDto)
@Controller('runs')
export class RunsController {
  constructor(
    private readonly background: BackgroundRuns,
    private readonly forwarder: OwnerForwarder,
  ) {}

  @Get()
  @ApiOperation({ summary: 'This token’s background runs, newest first' })
  @ApiOkResponse({ type: BackgroundRunPage })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: PAGE_QUERY_ERRORS })
  async list(@CurrentToken() token: TokenPrincipal, @Query() query: PageQueryDto): Promise<BackgroundRunPage> {
    const rows = await this.background.page(token.id, query.limit + 1, decodeCursor(query.cursor));
    return toPage(rows, query.limit, BackgroundRunView.of);
  }

  @Get(':run_id')
  @ApiOperation({ summary: 'One background run: its state, and once it ended the body a plain POST /run would have answered' })
  @ApiOkResponse({ type: BackgroundRunView })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: `${codeList('run_not_found')}: unknown, swept, or another token’s` })
  async get(@CurrentToken() token: TokenPrincipal, @Param('run_id') runId: string): Promise<BackgroundRunView> {
    return BackgroundRunView.of(await this.owned(token, runId));
  }

  @Get(':run_id/events')
  @ApiOperation({
    summary: 'A background run’s events as Server-Sent Events, each with its id',
    description:
      'The events of a streamed POST /run (`delta`, `tool_use`, then `result` or `error`), numbered from 1 in `id:`. A reader that reconnects with `Last-Event-ID` (or `?after=`) gets the events after it, then the rest live; the stream ends with the run. Kept RUN_RESULT_TTL_SECS after the run ends.',
  })
  @ApiQuery({ name: 'after', required: false, type: String, description: 'The id of the last event already read (as Last-Event-ID)', example: '12' })
  @ApiOkResponse({ description: '`id: <n>`, `event: <name>`, `data: <JSON>` frames', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming Last-Event-ID or after` })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: `${codeList('run_not_found')}` })
  async events(
    @CurrentToken() token: TokenPrincipal,
    @Param('run_id') runId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('after') after: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const from = afterSeq(lastEventId, after);
    const run = await this.owned(token, runId);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    await new Promise<void>((resolve) => {
      this.background.read(
        run,
        from,
        {
          event: ({ seq, event, data }) => res.write(`id: ${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
          end: () => {
            res.end();
            resolve();
          },
        },
        gone.signal,
      );
      gone.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  @Delete(':run_id')
  @ApiOperation({ summary: 'Cancel a queued or running background run (its processes end as on a timeout); an ended one is answered as it is' })
  @ApiOkResponse({ type: BackgroundRunView })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: `${codeList('run_not_found')}` })
  async cancel(@CurrentToken() token: TokenPrincipal, @Param('run_id') runId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const run = await this.owned(token, runId);
    if (!isEnded(run.status) && !this.background.cancel(runId) && run.instanceId && this.forwarder.mayForward(req)) {
      // Running on another instance: that one stops it.
      if (await this.forwarder.forward(req, res, run.instanceId)) return;
    }
    res.status(200).json(BackgroundRunView.of((await this.background.settled(token.id, runId)) ?? run));
  }

  private async owned(token: TokenPrincipal, runId: string): Promise<BackgroundRun> {
    const run = /^run_[A-Za-z0-9_-]{1,64}$/.test(runId) ? await this.background.find(token.id, runId) : null;
    if (!run) throw new NotFoundError('run_not_found', `no run ${runId.slice(0, 80)}`);
    return run;
  }
}
