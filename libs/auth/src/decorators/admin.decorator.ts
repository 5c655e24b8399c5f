import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '@clawdforge/core';

export const IS_ADMIN = 'clawdforge:admin';
export const ADMIN_BEARER = 'admin';
export const APP_BEARER = 'app-token';

/** Only the admin bearer (ADMIN_BOOTSTRAP_TOKEN) may call it. Carries its own Swagger annotations. */
export const Admin = () =>
  applyDecorators(
    SetMetadata(IS_ADMIN, true),
    ApiBearerAuth(ADMIN_BEARER),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: '`missing_token` or `invalid_token`' }),
    ApiForbiddenResponse({ type: ErrorBodyDto, description: '`ip_not_allowed`, or `admin_required` when an app token was used' }),
  );

/** An app-token route (the default); the decorator only documents it in Swagger. */
export const AppTokenAuth = () =>
  applyDecorators(
    ApiBearerAuth(APP_BEARER),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: '`missing_token`, or `invalid_token` when unknown or revoked' }),
    ApiForbiddenResponse({ type: ErrorBodyDto, description: '`ip_not_allowed`: the client IP is outside ALLOW_CIDRS or this token’s ip_cidrs' }),
  );
