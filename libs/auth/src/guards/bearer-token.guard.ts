import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig, ForbiddenError, requestContext, RequestContext, UnauthorizedError } from '@clawdforge/core';
import type { AppToken } from '../app-token.entity';
import { ClientIpPolicy } from '../client-ip.policy';
import { holdTokenPolicy } from '../decorators/current-token.decorator';
import { secretsEqual } from '../token-secret';
import { TokensService } from '../tokens.service';
import { routeAccess } from './route-access';

/** The audit trail's name for the admin bearer; reserved, so no app token can take it. */
export const ADMIN_TOKEN_NAME = 'admin';

const BEARER = /^Bearer +([\x21-\x7e]{1,512})$/;
const API_KEY = /^[\x21-\x7e]{1,512}$/;
const INVALID_APP_TOKEN = 'the token is unknown, revoked, or not allowed from this address';

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

  /**
   * Synchronous when the token is in the cache and its use needs no write (nearly every request):
   * Nest takes a boolean as it is, where a promise costs it and us a few turns of the microtask queue.
   */
  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const access = routeAccess(this.reflector, ctx);
    if (access.public) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const context = requestContext(req);
    const bearer = access.acceptsApiKey ? this.bearerOrApiKeyOf(req) : this.bearerOf(req);

    if (access.admin) {
      if (this.config.server.adminToken !== null && secretsEqual(bearer, this.config.server.adminToken)) {
        context.tokenName = ADMIN_TOKEN_NAME;
        return true;
      }
      return this.refuseAdmin(bearer, req, context);
    }
    const token = this.tokens.authenticate(bearer);
    return token instanceof Promise ? token.then((found) => this.admitApp(found, req, context)) : this.admitApp(token, req, context);
  }

  private admitApp(token: AppToken | null, req: Request, context: RequestContext): true | Promise<true> {
    if (!token) throw new UnauthorizedError('invalid_token', INVALID_APP_TOKEN);
    if (!this.allowedFrom(token, req)) {
      // The caller gets the same answer as for a bogus token, so a stolen token cannot be told
      // valid from outside its ip_cidrs; the audit row keeps the real reason and the token's name.
      context.tokenName = token.name;
      context.audit.errorCode = 'ip_not_allowed';
      throw new UnauthorizedError('invalid_token', INVALID_APP_TOKEN);
    }
    context.tokenName = token.name;
    context.tokenId = token.id;
    holdTokenPolicy(context, token);
    const marking = this.tokens.markUsed(token);
    return marking ? marking.then(() => true) : true;
  }

  /** An admin route without the admin token: 403 for a valid app token (named in the audit), else 401. */
  private async refuseAdmin(bearer: string, req: Request, context: RequestContext): Promise<never> {
    const appToken = await this.tokens.authenticate(bearer);
    if (appToken && this.allowedFrom(appToken, req)) {
      context.tokenName = appToken.name;
      throw new ForbiddenError('admin_required', 'this route needs the admin token, not an app token');
    }
    throw new UnauthorizedError('invalid_token', 'the admin token is wrong');
  }

  private allowedFrom(token: { ipCidrs: string[] | null }, req: Request): boolean {
    const address = this.policy.clientAddress(req);
    return address !== null && this.policy.allowedForToken(address, token.ipCidrs);
  }

  /**
   * `Authorization: Bearer` or `x-api-key` (what Anthropic's clients send), each the same token;
   * two different tokens are refused rather than one of them picked.
   */
  private bearerOrApiKeyOf(req: Request): string {
    const apiKey = req.headers['x-api-key'];
    if (apiKey === undefined) return this.bearerOf(req);
    if (typeof apiKey !== 'string' || !API_KEY.test(apiKey.trim())) throw new UnauthorizedError('invalid_token', 'the x-api-key header is not a token');
    if (req.headers.authorization !== undefined && this.bearerOf(req) !== apiKey.trim()) {
      throw new UnauthorizedError('invalid_token', 'Authorization and x-api-key carry different tokens; send one');
    }
    return apiKey.trim();
  }

  private bearerOf(req: Request): string {
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedError('missing_token', 'send the token as "Authorization: Bearer <token>"');
    const match = BEARER.exec(header.trim());
    if (!match) throw new UnauthorizedError('invalid_token', 'the Authorization header is not "Bearer <token>"');
    return match[1];
  }
}
