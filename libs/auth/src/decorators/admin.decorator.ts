import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { codeList, ErrorBodyDto } from '@clawdforge/core';

export const IS_ADMIN = 'clawdforge:admin';
export const ADMIN_BEARER = 'admin';

/** Only the admin bearer (ADMIN_BOOTSTRAP_TOKEN) may call it. Carries its own Swagger annotations. */
export const Admin = () =>
  applyDecorators(
    SetMetadata(IS_ADMIN, true),
    ApiBearerAuth(ADMIN_BEARER),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: `${codeList('missing_token')} or ${codeList('invalid_token')}` }),
    ApiForbiddenResponse({ type: ErrorBodyDto, description: `${codeList('ip_not_allowed')}, or ${codeList('admin_required')} when an app token was used` }),
  );
