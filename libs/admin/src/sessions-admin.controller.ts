import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { codeList, ErrorBodyDto } from '@clawdforge/core';
import { Admin, TokenNotFoundError, TokensService } from '@clawdforge/auth';
import { SessionsService, SessionView } from '@clawdforge/sessions';
import { AdminSessionList, AdminSessionResponse } from './dto/owned.view';
import { OwnerQueryDto } from './dto/owner-query.dto';

/** Every app's sessions, for the operator: what the admin CLI's `sessions list` and `sessions close` do, over HTTP. */
@ApiTags('admin')
@Admin()
@Controller('admin/sessions')
export class SessionsAdminController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Sessions of every app (or one), newest first, with the app that opened each' })
  @ApiOkResponse({ type: AdminSessionList })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming \`limit\` or \`token\`` })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: `${codeList('token_not_found')}: no token ever had that name` })
  async list(@Query() query: OwnerQueryDto): Promise<AdminSessionList> {
    const owners = query.token === undefined ? undefined : await this.tokens.idsByName(query.token);
    if (owners?.length === 0) throw new TokenNotFoundError(query.token!);
    const [rows, names] = await Promise.all([this.sessions.listAll(query.limit, owners), this.tokens.namesById()]);
    return { ok: true, items: rows.map((s) => ({ token: names.get(s.ownerTokenId) ?? null, ...SessionView.of(s, this.sessions.isBusy(s)) })), next_cursor: null };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Close any app’s session (idempotent)', description: 'As the app’s own DELETE /sessions/{id}: acpx ends the agent, its directory goes, the row stays.' })
  @ApiOkResponse({ type: AdminSessionResponse })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: codeList('session_not_found') })
  async close(@Param('id') id: string): Promise<AdminSessionResponse> {
    const session = await this.sessions.closeAny(id);
    const names = await this.tokens.namesById();
    return { ok: true, token: names.get(session.ownerTokenId) ?? null, ...SessionView.of(session, false) };
  }
}
