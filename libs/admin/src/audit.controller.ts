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
  @ApiOperation({ summary: 'Audit rows, newest first', description: 'One row per request to a protected route, failures included. Never a token or prompt.' })
  @ApiOkResponse({ type: AuditPage })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: PAGE_QUERY_ERRORS })
  async list(@Query() query: AuditQueryDto): Promise<AuditPage> {
    const rows = await this.audit.list({
      token: query.token,
      route: query.route,
      since: query.since === undefined ? undefined : new Date(query.since),
      limit: query.limit,
      cursor: query.cursor,
    });
    return toPage(rows, query.limit, AuditEventView.of);
  }
}
