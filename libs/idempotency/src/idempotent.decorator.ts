import { applyDecorators, Type, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { codeList, ErrorBodyDto } from '@clawdforge/core';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-errors';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/** The route honours `Idempotency-Key` (IdempotencyInterceptor), and /docs says so; `errorBody`: the route's error body (the /v1 routes' own formats). */
export function Idempotent(errorBody: Type = ErrorBodyDto): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiUnprocessableEntityResponse({ type: errorBody, description: `${codeList('idempotency_key_reused')}: this token sent the same Idempotency-Key before with another request` }),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Up to 255 printable ASCII characters naming this request’s intent, per token. A retry with the same key and the same request is answered what the first was (`Idempotent-Replayed: true`) without running anything again; the same key with another request is `422 idempotency_key_reused`. Kept IDEMPOTENCY_TTL_SECS (default a day). An answer that did nothing (4xx, 503) is not kept.',
    }),
  );
}
