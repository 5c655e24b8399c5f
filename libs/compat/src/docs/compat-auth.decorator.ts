import { applyDecorators, Type } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AcceptsApiKeyHeader, APP_BEARER } from '@clawdforge/auth';
import { codeList } from '@clawdforge/core';

/** An app-token route of the /v1 family: Bearer or x-api-key, its auth failures in the wire format's own error body. */
export const CompatTokenAuth = (errorBody: Type<unknown>) =>
  applyDecorators(
    ApiBearerAuth(APP_BEARER),
    AcceptsApiKeyHeader(),
    ApiUnauthorizedResponse({ type: errorBody, description: `${codeList('missing_token', 'invalid_token')}; also two different tokens in Authorization and x-api-key` }),
    ApiForbiddenResponse({ type: errorBody, description: `${codeList('ip_not_allowed')}: the client IP is outside this token’s ip_cidrs` }),
  );
