import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { NO_POLICY, requestContext, TokenPolicy } from '@clawdforge/core';

export interface TokenPrincipal {
  id: number;
  name: string;
  /** As read with the token on this request, so a PATCH applies to the very next one. */
  policy: TokenPolicy;
}

/** The app token that authenticated this request (only on app-token routes). */
export const CurrentToken = createParamDecorator((_data: unknown, ctx: ExecutionContext): TokenPrincipal => {
  const context = requestContext(ctx.switchToHttp().getRequest<Request>());
  if (context.tokenId === null || context.tokenName === null) throw new Error('CurrentToken used on a route without an app token');
  return { id: context.tokenId, name: context.tokenName, policy: context.tokenPolicy ?? NO_POLICY };
});
