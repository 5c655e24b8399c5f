import { ExpressAdapter } from '@nestjs/platform-express';
import { Router } from 'express';
import type { Express, NextFunction, Request, Response } from 'express';

type RouteArgs = [path: unknown, ...handlers: unknown[]];
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'search';

/** A first path segment every request for it spells the same way: no parameter, wildcard or group. */
const LITERAL_SEGMENT = /^\/([A-Za-z0-9._~-]*)(?:\/|$)/;

/**
 * Express tries its routes one after another, testing each pattern against the path, so a request
 * for the fortieth route of forty pays for thirty-nine that could never match it. This adapter files
 * each run of consecutive routes under their first path segment, behind one layer of Express's stack:
 * a request tries only the routes whose first segment is its own, in the order they were declared.
 *
 * What a request can match is unchanged: a route whose first segment is a literal can only match
 * a path that starts with that segment (case-folded unless the app routes case-sensitively), and
 * anything else (a parameter, a wildcard, `all`, `options`) is registered on Express as it was,
 * ending the run. Middleware keeps its place between runs.
 */
export class RouteIndexedExpressAdapter extends ExpressAdapter {
  private run: RouteRun | null = null;

  override get(...args: unknown[]): unknown {
    // With one argument, Express's `get` reads a setting.
    return args.length < 2 ? this.getInstance<Express>().get(args[0] as string) : this.route('get', args as RouteArgs);
  }
  override post(...args: unknown[]): unknown {
    return this.route('post', args as RouteArgs);
  }
  override put(...args: unknown[]): unknown {
    return this.route('put', args as RouteArgs);
  }
  override patch(...args: unknown[]): unknown {
    return this.route('patch', args as RouteArgs);
  }
  override delete(...args: unknown[]): unknown {
    return this.route('delete', args as RouteArgs);
  }
  override head(...args: unknown[]): unknown {
    return this.route('head', args as RouteArgs);
  }
  override search(...args: unknown[]): unknown {
    return this.route('search', args as RouteArgs);
  }

  private route(method: Method, args: RouteArgs): unknown {
    const app = this.getInstance<Express>();
    const segment = typeof args[0] === 'string' ? LITERAL_SEGMENT.exec(args[0])?.[1] : undefined;
    if (segment === undefined) {
      this.run = null;
      return (app[method] as (...a: unknown[]) => unknown)(...args);
    }
    const stack = app.router.stack;
    if (this.run === null || stack.length !== this.run.endsAt) {
      this.run = new RouteRun(app.enabled('case sensitive routing'), app.enabled('strict routing'));
      app.use(this.run.dispatch);
      this.run.endsAt = stack.length;
    }
    this.run.add(segment, method, args);
    return app;
  }
}

/** One run of consecutive routes, one Express router per first path segment. */
class RouteRun {
  /** The length of Express's stack right after this run's layer: routes join the run while it still is. */
  endsAt = 0;
  private readonly routers = new Map<string, Router>();

  constructor(
    private readonly caseSensitive: boolean,
    private readonly strict: boolean,
  ) {}

  add(segment: string, method: Method, args: RouteArgs): void {
    const key = this.caseSensitive ? segment : segment.toLowerCase();
    let router = this.routers.get(key);
    if (!router) {
      router = Router({ caseSensitive: this.caseSensitive, strict: this.strict });
      this.routers.set(key, router);
    }
    (router[method] as (...a: unknown[]) => unknown)(...args);
  }

  readonly dispatch = (req: Request, res: Response, next: NextFunction): void => {
    // No route of a run answers OPTIONS (those end a run); Express's own OPTIONS answer is left to
    // the stack as a whole, as it was.
    if (req.method === 'OPTIONS') return next();
    const path = req.path;
    const end = path.indexOf('/', 1);
    const segment = path.slice(1, end < 0 ? undefined : end);
    const router = this.routers.get(this.caseSensitive ? segment : segment.toLowerCase());
    if (router) router(req, res, next);
    else next();
  };
}
