import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { IS_ADMIN } from '../decorators/admin.decorator';
import { ACCEPTS_API_KEY } from '../decorators/api-key-header.decorator';
import { IS_PUBLIC } from '../decorators/public.decorator';

/** Who a route admits, from its decorators (on the handler, else on its controller). */
export interface RouteAccess {
  public: boolean;
  admin: boolean;
  acceptsApiKey: boolean;
}

const known = new WeakMap<object, { controller: object; access: RouteAccess }>();

/**
 * Read once per route rather than on every request: decorators do not change once the app runs,
 * and both global guards ask on every request.
 */
export function routeAccess(reflector: Reflector, ctx: ExecutionContext): RouteAccess {
  const handler = ctx.getHandler();
  const controller = ctx.getClass();
  const entry = known.get(handler);
  if (entry?.controller === controller) return entry.access;
  const targets = [handler, controller];
  const access: RouteAccess = {
    public: reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
    admin: reflector.getAllAndOverride<boolean>(IS_ADMIN, targets) === true,
    acceptsApiKey: reflector.getAllAndOverride<boolean>(ACCEPTS_API_KEY, targets) === true,
  };
  known.set(handler, { controller, access });
  return access;
}
