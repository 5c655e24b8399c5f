import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppTokenAuth, CurrentToken, TokenPrincipal } from '@clawdforge/auth';
import { clientGoneSignal, codeList, ErrorBodyDto, PAGE_QUERY_ERRORS, PageQueryDto, requestContext, SseStream, streamTo, toPage, wantsEventStream } from '@clawdforge/core';
import { Idempotent } from '@clawdforge/idempotency';
import { CreateSessionDto } from './dto/create-session.dto';
import { SessionPage, SessionResponse, SessionView, TurnResponse } from './dto/session.view';
import { TurnRequestDto } from './dto/turn-request.dto';
import { ForwardToOwnerFilter } from './forward-to-owner.filter';
import { SessionNotFoundError } from './sessions-errors';
import { SessionsService } from './sessions.service';

/** A malformed id cannot name a session: the same 404 as any other unknown one. */
const sessionId = new ParseUUIDPipe({ exceptionFactory: () => new SessionNotFoundError('that id') });

@ApiTags('sessions')
@AppTokenAuth()
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a multi-turn agent session', description: 'The session belongs to this token; any other token gets 404 for it.' })
  @ApiCreatedResponse({ type: SessionResponse })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming the field (an agent not in SESSION_AGENTS, a bad model), ${codeList('model_not_allowed')}` })
  @ApiTooManyRequestsResponse({
    type: ErrorBodyDto,
    description: `${codeList('too_many_sessions')} (SESSIONS_MAX_OPEN or SESSIONS_MAX_OPEN_PER_TOKEN reached), ${codeList('budget_exceeded')}; each with Retry-After`,
  })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: `${codeList('agent_failed')}: acpx could not start the session` })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: `${codeList('cli_not_found', 'shutting_down')}, ${codeList('upstream_unavailable')} (every Claude login is cooling)` })
  async create(@CurrentToken() token: TokenPrincipal, @Body() body: CreateSessionDto, @Req() req: Request): Promise<SessionResponse> {
    const session = await this.sessions.create(token, body, requestContext(req));
    return { ok: true, ...SessionView.of(session, false) };
  }

  @Post(':id/turn')
  @Idempotent()
  @UseFilters(ForwardToOwnerFilter)
  @ApiOperation({
    summary: 'Send one turn and wait for the agent to finish it',
    description: 'One turn at a time per session. A client that disconnects cancels the turn; past timeout_secs it is cancelled with 504.',
  })
  @ApiOkResponse({
    type: TurnResponse,
    description:
      'With `Accept: text/event-stream` or `"stream": true`: Server-Sent Events once the turn is accepted — one `acp` event per agent message as acpx prints it, then one `result` (this body) or one `error`.',
  })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming the field` })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: codeList('session_not_found') })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: `${codeList('session_busy')} (a turn is running), ${codeList('session_closed')}, ${codeList('session_elsewhere')} (another instance drives it)`,
  })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: `${codeList('budget_exceeded')}, with Retry-After` })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: codeList('agent_failed', 'session_lost', 'permission_unavailable') })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description: `${codeList('cli_not_found', 'shutting_down')}, or ${codeList('instance_unavailable')} with Retry-After: the session runs on another instance, which is not answering`,
  })
  @ApiGatewayTimeoutResponse({ type: ErrorBodyDto, description: `${codeList('timeout')}: the turn was cancelled` })
  async turn(
    @CurrentToken() token: TokenPrincipal,
    @Param('id', sessionId) id: string,
    @Body() body: TurnRequestDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const request = requestContext(req);
    const audit = request.audit;
    const signal = clientGoneSignal(res, audit);
    if (!wantsEventStream(req, body)) {
      res.status(200).json(await this.sessions.turn(token, id, body, request, signal));
      return;
    }
    const stream = new SseStream(res);
    await streamTo(stream, req, audit, () =>
      this.sessions.turn(token, id, body, request, signal, { started: () => stream.open(), event: (event) => stream.send('acp', event) }),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a session’s state' })
  @ApiOkResponse({ type: SessionResponse })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: codeList('session_not_found') })
  async get(@CurrentToken() token: TokenPrincipal, @Param('id', sessionId) id: string, @Req() req: Request): Promise<SessionResponse> {
    const session = await this.sessions.get(token, id);
    requestContext(req).audit.sessionId = session.id;
    return { ok: true, ...SessionView.of(session, this.sessions.isBusy(session)), late_events: this.sessions.lateEventsOf(session) };
  }

  @Get()
  @ApiOperation({ summary: 'This token’s sessions, newest first, open and closed (until the hard TTL)' })
  @ApiOkResponse({ type: SessionPage })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: PAGE_QUERY_ERRORS })
  async list(@CurrentToken() token: TokenPrincipal, @Query() query: PageQueryDto): Promise<SessionPage> {
    const rows = await this.sessions.list(token, query.limit, query.cursor);
    return toPage(rows, query.limit, (session) => SessionView.of(session, this.sessions.isBusy(session)), (session) => session.seq);
  }

  @Delete(':id')
  @UseFilters(ForwardToOwnerFilter)
  @ApiOperation({ summary: 'Soft-close a session (idempotent)', description: 'Ends the agent, removes the working directory; the state stays readable until CLAWDFORGE_SESSION_HARD_TTL_SECS.' })
  @ApiOkResponse({ type: SessionResponse })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: codeList('session_not_found') })
  @ApiConflictResponse({ type: ErrorBodyDto, description: `${codeList('session_elsewhere')}: another instance drives it` })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: `${codeList('instance_unavailable')}, with Retry-After: the session runs on another instance, which is not answering` })
  async close(@CurrentToken() token: TokenPrincipal, @Param('id', sessionId) id: string, @Req() req: Request): Promise<SessionResponse> {
    const session = await this.sessions.close(token, id, requestContext(req));
    return { ok: true, ...SessionView.of(session, false) };
  }
}
