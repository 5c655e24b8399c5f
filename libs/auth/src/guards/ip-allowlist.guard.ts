import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { requestContext } from '@clawdforge/core';
import { ClientIpPolicy } from '../client-ip.policy';
import { IpNotAllowedError } from '../ip-errors';
import { routeAccess } from './route-access';

/**
 * First global guard: the caller's address must be loopback or within ALLOW_CIDRS. The same check
 * already ran before routing (ipAllowlistMiddleware); here it also records the route and whether
 * it is audited, which only the router knows.
 */
@Injectable()
export class IpAllowlistGuard implements CanActivate {
  constructor(
    private readonly policy: ClientIpPolicy,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    const context = requestContext(req);
    context.route = (req.route as { path?: string } | undefined)?.path ?? null;
    context.audited = !routeAccess(this.reflector, ctx).public;
    const peer = this.policy.peer(req);
    if (!peer.allowedGlobally) throw new IpNotAllowedError(peer.text);
    return true;
  }
}

/**
 * The check before routing, for every request: unknown paths and what Express serves outside Nest's
 * router (the Swagger UI and documents) included, so a peer outside the allowlist learns nothing
 * about which routes exist. Resolves the client address once, for the audit row too.
 */
export function ipAllowlistMiddleware(policy: ClientIpPolicy) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const peer = policy.peer(req);
    next(peer.allowedGlobally ? undefined : new IpNotAllowedError(peer.text));
  };
}
