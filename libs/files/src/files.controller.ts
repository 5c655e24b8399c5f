import { Body, Controller, Delete, Get, Param, Post, Query, Req, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AppTokenAuth, CurrentToken, TokenPrincipal } from '@clawdforge/auth';
import { codeList, ErrorBodyDto, PAGE_QUERY_ERRORS, PageQueryDto, toPage } from '@clawdforge/core';
import { Idempotent } from '@clawdforge/idempotency';
import { DEFAULT_FILE_TTL_SECS, UploadFileDto } from './dto/upload-file.dto';
import { DeletedFileResponse, StoredFilePage, StoredFileView, UploadedFileResponse } from './dto/stored-file.view';
import { FilesService } from './files.service';
import { MAX_UPLOADS_IN_FLIGHT_PER_TOKEN } from './upload-admission';
import { commitUpload, UploadInterceptor } from './upload.interceptor';
import type { UploadedFile } from './uploaded-file';

@ApiTags('files')
@AppTokenAuth()
@Controller('files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Post()
  // After the upload is received: its bytes' hash is part of what makes a retry the same request.
  @Idempotent()
  @UseInterceptors(UploadInterceptor)
  @ApiOperation({
    summary: 'Upload a file to attach to runs',
    description:
      'Multipart field `file`: a PNG, JPEG, GIF or WebP image, a PDF, or UTF-8 text (detected from the content, the whole file for text), at most FILES_MAX_BYTES, within the token’s quota of live files (FILES_MAX_PER_TOKEN, FILES_MAX_TOTAL_BYTES_PER_TOKEN), its uploads in flight counted as their bytes arrive. ' +
      `Refused at its first byte, before anything is stored, when the token is at its quota or has ${MAX_UPLOADS_IN_FLIGHT_PER_TOKEN} uploads in flight. Other types are refused with 415. The file is this token’s alone and expires after \`ttl_secs\`.`,
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadFileDto })
  @ApiCreatedResponse({ type: UploadedFileResponse })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: `${codeList('invalid_request')} naming the field: no \`file\` field, a bad \`ttl_secs\`, a filename with control characters` })
  @ApiPayloadTooLargeResponse({
    type: ErrorBodyDto,
    description: `${codeList('payload_too_large')}: over FILES_MAX_BYTES, or the token would hold more than FILES_MAX_PER_TOKEN live files or FILES_MAX_TOTAL_BYTES_PER_TOKEN live bytes (its uploads in flight included)`,
  })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: `${codeList('too_many_requests')}, with Retry-After: the token already has ${MAX_UPLOADS_IN_FLIGHT_PER_TOKEN} uploads in flight` })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorBodyDto, description: `${codeList('unsupported_media_type')}: not an image, PDF or text` })
  async upload(@CurrentToken() token: TokenPrincipal, @Body() body: UploadFileDto, @Req() req: Request): Promise<UploadedFileResponse> {
    const ttlSecs = body.ttl_secs ?? DEFAULT_FILE_TTL_SECS;
    const stored = await this.files.store(token.id, req.file as UploadedFile, ttlSecs);
    commitUpload(req);
    return { ok: true, ...StoredFileView.of(stored), ttl_secs: ttlSecs };
  }

  @Get()
  @ApiOperation({ summary: 'This token’s unexpired files, newest first' })
  @ApiOkResponse({ type: StoredFilePage })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: PAGE_QUERY_ERRORS })
  async list(@CurrentToken() token: TokenPrincipal, @Query() query: PageQueryDto): Promise<StoredFilePage> {
    return toPage(await this.files.list(token.id, query.limit, query.cursor), query.limit, StoredFileView.of);
  }

  @Delete(':file_token')
  @ApiOperation({ summary: 'Delete one of this token’s files' })
  @ApiOkResponse({ type: DeletedFileResponse })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: `${codeList('file_not_found')}: unknown, expired, or another token’s` })
  async delete(@CurrentToken() token: TokenPrincipal, @Param('file_token') fileToken: string): Promise<DeletedFileResponse> {
    const file = await this.files.delete(token.id, fileToken);
    return { ok: true, file_token: file.fileToken, deleted: true };
  }
}
