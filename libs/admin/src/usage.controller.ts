import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Admin } from '@clawdforge/auth';
import { decodeCursor, encodeCursor, ErrorBodyDto, PAGE_QUERY_ERRORS } from '@clawdforge/core';
import { UsageRepository, UsagePage } from '@clawdforge/usage';
import { UsageQueryDto } from './dto/usage-query.dto';

@ApiTags('admin')
@Admin()
@Controller('admin/usage')
export class UsageAdminController {
  constructor(private readonly ledger: UsageRepository) {}

  @Get()
  @ApiOperation({
    summary: 'The usage ledger: runs, turns, tokens and cost, grouped',
    description: 'Every run and session turn, kept across restarts and token rotations. Days are UTC; `cost_usd` is the CLI’s own, unrounded.',
  })
  @ApiOkResponse({ type: UsagePage })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: PAGE_QUERY_ERRORS })
  async report(@Query() query: UsageQueryDto): Promise<UsagePage> {
    // Groups have no ids of their own: the cursor is the offset of the next page.
    const offset = query.cursor === undefined ? 0 : (decodeCursor(query.cursor) ?? 0);
    const groups = await this.ledger.report({
      token: query.token,
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
      groupBy: query.group_by ?? 'token',
      offset,
      limit: query.limit,
    });
    const more = groups.length > query.limit;
    return { ok: true, items: groups.slice(0, query.limit), next_cursor: more ? encodeCursor(offset + query.limit) : null };
  }
}
