import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

export const IS_ADMIN = 'clawdforge:admin';
export const ADMIN_BEARER = 'admin';
export const APP_BEARER = 'app-token';

/** Only the admin bearer (ADMIN_BOOTSTRAP_TOKEN) may call it. Carries its own Swagger annotations. */
export const Admin = () =>
  applyDecorators(
    SetMetadata(IS_ADMIN, true),
    ApiBearerAuth(ADMIN_BEARER),
    ApiUnauthorizedResponse({ description: 'missing or wrong admin token' }),
    ApiForbiddenResponse({ description: 'client IP not allowed, or an app token was used' }),
  );

/** An app-token route (the default); the decorator only documents it in Swagger. */
export const AppTokenAuth = () =>
  applyDecorators(
    ApiBearerAuth(APP_BEARER),
    ApiUnauthorizedResponse({ description: 'missing, unknown or revoked token' }),
    ApiForbiddenResponse({ description: 'client IP not allowed for this token' }),
  );
