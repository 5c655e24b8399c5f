import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { codeList, ErrorBodyDto } from '@clawdforge/core';

export const APP_BEARER = 'app-token';

/** An app-token route (the default); the decorator only documents it in Swagger. */
export const AppTokenAuth = () =>
  applyDecorators(
    ApiBearerAuth(APP_BEARER),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: `${codeList('missing_token')}, or ${codeList('invalid_token')} when unknown or revoked` }),
    ApiForbiddenResponse({ type: ErrorBodyDto, description: `${codeList('ip_not_allowed')}: the client IP is outside ALLOW_CIDRS or this token’s ip_cidrs` }),
  );
