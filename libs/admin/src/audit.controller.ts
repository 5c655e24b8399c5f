import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorBodyDto, PAGE_QUERY_ERRORS, toPage } from '@clawdforge/core';
import { Admin } from '@clawdforge/auth';
import { AuditService } from '@clawdforge/audit';
import { AuditEventView, AuditPage } from './dto/audit-event.view';
import { AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('admin')
@Admin()
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'Audit rows, newest first (or, with after_id, the rows after one, oldest first)',
    description:
      'One row per request to a protected route, failures included. Never a token or prompt. To follow the log as it grows, ask with `after_id` set to the last id seen: a poll, since a browser’s EventSource cannot send a bearer token.',
  })
  @ApiOkResponse({ type: AuditPage })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: PAGE_QUERY_ERRORS })
  async list(@Query() query: AuditQueryDto): Promise<AuditPage> {
    const filter = {
      token: query.token,
      route: query.route,
      status: query.status,
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
    };
    if (query.after_id !== undefined) {
      const rows = await this.audit.listAfter(filter, query.after_id, query.limit);
      return { ok: true, items: rows.map(AuditEventView.of), next_cursor: null };
    }
    return toPage(await this.audit.list({ ...filter, limit: query.limit, cursor: query.cursor }), query.limit, AuditEventView.of);
  }
}
