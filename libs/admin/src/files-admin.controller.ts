import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { codeList, ErrorBodyDto } from '@clawdforge/core';
import { Admin, TokenNotFoundError, TokensService } from '@clawdforge/auth';
import { FilesService, StoredFileView } from '@clawdforge/files';
import { AdminFileList } from './dto/owned.view';
import { OwnerQueryDto } from './dto/owner-query.dto';

/** Every app's live files, for the operator: what the admin CLI's `files list` shows, over HTTP. */
@ApiTags('admin')
@Admin()
@Controller('admin/files')
export class FilesAdminController {
  constructor(
    private readonly files: FilesService,
    private readonly tokens: TokensService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Live files of every app (or one), newest first, with size, expiry and the app that uploaded each' })
  @ApiOkResponse({ type: AdminFileList })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming \`limit\` or \`token\`` })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: `${codeList('token_not_found')}: no token ever had that name` })
  async list(@Query() query: OwnerQueryDto): Promise<AdminFileList> {
    const owners = query.token === undefined ? undefined : await this.tokens.idsByName(query.token);
    if (owners?.length === 0) throw new TokenNotFoundError(query.token!);
    const [rows, names] = await Promise.all([this.files.listAll(query.limit, owners), this.tokens.namesById()]);
    return { ok: true, items: rows.map((f) => ({ token: names.get(f.ownerTokenId) ?? null, ...StoredFileView.of(f) })), next_cursor: null };
  }
}
