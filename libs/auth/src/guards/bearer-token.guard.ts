import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig, ForbiddenError, parseAddress, requestContext, UnauthorizedError } from '@clawdforge/core';
import { ClientIpPolicy } from '../client-ip.policy';
import { IS_ADMIN } from '../decorators/admin.decorator';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { IpNotAllowedError } from '../ip-errors';
import { secretsEqual } from '../token-secret';
import { TokensService } from '../tokens.service';

/** The audit trail's name for the admin bearer; reserved, so no app token can take it. */
export const ADMIN_TOKEN_NAME = 'admin';

const BEARER = /^Bearer +([\x21-\x7e]{1,512})$/;

/**
 * Second global guard: every route needs a bearer unless @Public(). @Admin() routes take only
 * ADMIN_BOOTSTRAP_TOKEN; all others take only a live app token, looked up on every request.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly tokens: TokensService,
    private readonly policy: ClientIpPolicy,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const context = requestContext(req);
    const bearer = this.bearerOf(req);

    if (this.reflector.getAllAndOverride<boolean>(IS_ADMIN, targets)) {
      if (this.config.adminToken !== null && secretsEqual(bearer, this.config.adminToken)) {
        context.tokenName = ADMIN_TOKEN_NAME;
        return true;
      }
      const appToken = await this.tokens.authenticate(bearer);
      if (appToken) {
        context.tokenName = appToken.name;
        throw new ForbiddenError('admin_required', 'this route needs the admin token, not an app token');
      }
      throw new UnauthorizedError('invalid_token', 'the admin token is wrong');
    }

    const token = await this.tokens.authenticate(bearer);
    if (!token) throw new UnauthorizedError('invalid_token', 'the token is unknown or revoked');
    context.tokenName = token.name;
    const address = context.clientIp === null ? null : parseAddress(context.clientIp);
    if (!address || !this.policy.allowedForToken(address, token.ipCidrs)) throw new IpNotAllowedError(context.clientIp);
    context.tokenId = token.id;
    return true;
  }

  private bearerOf(req: Request): string {
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedError('missing_token', 'send the token as "Authorization: Bearer <token>"');
    const match = BEARER.exec(header.trim());
    if (!match) throw new UnauthorizedError('invalid_token', 'the Authorization header is not "Bearer <token>"');
    return match[1];
  }
}
