import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { codeList, ErrorBodyDto, PAGE_QUERY_ERRORS, PageQueryDto, toPage } from '@clawdforge/core';
import { Admin, TokensService } from '@clawdforge/auth';
import { CreateTokenDto } from './dto/create-token.dto';
import { policyPatch } from './dto/token-policy.dto';
import { UpdateTokenDto } from './dto/update-token.dto';
import { CreatedTokenResponse, TokenPage, TokenResponse, TokenView } from './dto/token.view';

@ApiTags('admin')
@Admin()
@Controller('admin/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiOperation({ summary: 'Mint an app token', description: 'The plaintext `token` is in this response only; store it in the app’s environment.' })
  @ApiCreatedResponse({ type: CreatedTokenResponse })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming the field: a bad or reserved name, a bad CIDR, a bad policy value` })
  @ApiConflictResponse({ type: ErrorBodyDto, description: `${codeList('token_name_taken')}: a live token already has this name` })
  async create(@Body() body: CreateTokenDto): Promise<CreatedTokenResponse> {
    const { token, plaintext } = await this.tokens.mint(body.name, body.ip_cidrs, policyPatch(body));
    return { ok: true, ...TokenView.of(token), token: plaintext };
  }

  @Get()
  @ApiOperation({ summary: 'List app tokens, live and revoked, oldest first' })
  @ApiOkResponse({ type: TokenPage })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: PAGE_QUERY_ERRORS })
  async list(@Query() query: PageQueryDto): Promise<TokenPage> {
    return toPage(await this.tokens.list(query.limit, query.cursor), query.limit, TokenView.of);
  }

  @Get(':name')
  @ApiOperation({ summary: 'Read one token (the live one of that name, else its latest revoked one)' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: codeList('token_not_found') })
  async get(@Param('name') name: string): Promise<TokenResponse> {
    return { ok: true, ...TokenView.of(await this.tokens.get(name)) };
  }

  @Patch(':name')
  @ApiOperation({
    summary: 'Change a live token’s policy or ip_cidrs',
    description: 'Each field optional; null lifts that limit, a field left out stays. Applies to the very next request.',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming the field` })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: `${codeList('token_not_found')}: no live token has that name` })
  async update(@Param('name') name: string, @Body() body: UpdateTokenDto): Promise<TokenResponse> {
    const patch = { ...policyPatch(body), ...(body.ip_cidrs !== undefined ? { ipCidrs: body.ip_cidrs } : {}) };
    return { ok: true, ...TokenView.of(await this.tokens.update(name, patch)) };
  }

  @Delete(':name')
  @ApiOperation({ summary: 'Revoke a token', description: 'Takes effect on the very next request. Revoking a revoked name answers 200 again.' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: codeList('token_not_found') })
  async revoke(@Param('name') name: string): Promise<TokenResponse> {
    return { ok: true, ...TokenView.of(await this.tokens.revoke(name)) };
  }
}
