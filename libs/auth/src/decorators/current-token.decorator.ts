import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { RequestContext, requestContext } from '@clawdforge/core';
import { NO_POLICY, TokenPolicy } from '../token-policy';

export interface TokenPrincipal {
  id: number;
  name: string;
  /** As read with the token on this request, so a PATCH applies to the very next one. */
  policy: TokenPolicy;
}

/** Each authenticated request's token policy, as read with the token; the request's context knows only the token's id and name. */
const policies = new WeakMap<RequestContext, TokenPolicy>();

/** For the bearer guard: the policy of the token that authenticated the request. */
export function holdTokenPolicy(context: RequestContext, policy: TokenPolicy): void {
  policies.set(context, policy);
}

/** The app token that authenticated this request (only on app-token routes). */
export const CurrentToken = createParamDecorator((_data: unknown, ctx: ExecutionContext): TokenPrincipal => {
  const context = requestContext(ctx.switchToHttp().getRequest<Request>());
  if (context.tokenId === null || context.tokenName === null) throw new Error('CurrentToken used on a route without an app token');
  return { id: context.tokenId, name: context.tokenName, policy: policies.get(context) ?? NO_POLICY };
});
