import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

export const ACCEPTS_API_KEY = 'clawdforge:accepts-api-key';
export const API_KEY_HEADER = 'api-key';

/** An app-token route that also takes the token as `x-api-key` (as Anthropic's clients send it). */
export const AcceptsApiKeyHeader = () => applyDecorators(SetMetadata(ACCEPTS_API_KEY, true), ApiSecurity(API_KEY_HEADER));
