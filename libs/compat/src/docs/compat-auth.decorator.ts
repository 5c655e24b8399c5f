import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
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

/** The failures a /v1 run route answers with, in the wire format's own error body. */
export const CompatRunErrors = (errorBody: Type<unknown>) =>
  applyDecorators(
    ApiBadRequestResponse({ type: errorBody, description: codeList('invalid_request', 'unsupported_parameter', 'context_length_exceeded', 'model_not_allowed') }),
    ApiNotFoundResponse({ type: errorBody, description: `${codeList('model_not_found')}: not a claude model, nor mapped by MODEL_ALIASES` }),
    ApiTooManyRequestsResponse({ type: errorBody, description: `${codeList('queue_full', 'rate_limited', 'budget_exceeded')}, with Retry-After` }),
    ApiBadGatewayResponse({ type: errorBody, description: `${codeList('cli_failed')}, with x-should-retry: false` }),
    ApiServiceUnavailableResponse({ type: errorBody, description: codeList('cli_not_found', 'upstream_auth', 'upstream_unavailable', 'shutting_down') }),
  );
