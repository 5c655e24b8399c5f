import { ArgumentsHost, Catch, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiExceptionFilter, requestContext } from '@clawdforge/core';
import { forwardRequest, forwardTarget, InstanceRegistry } from '@clawdforge/cluster';
import { InstanceUnavailableError, SessionElsewhereError } from './sessions-errors';

/**
 * A turn or close of a session whose acpx runs on another instance (several instances behind one
 * load balancer on one PostgreSQL) goes on to that instance, and its answer, streamed or not,
 * comes back as it is: the client sees one service. The owner checks the token again and writes the
 * audit row with the client's address; this instance writes none. A request that was itself
 * forwarded is not forwarded again (409 session_elsewhere), and an owner that is not alive answers
 * 503 instance_unavailable.
 */
@Injectable()
@Catch(SessionElsewhereError)
export class ForwardToOwnerFilter extends ApiExceptionFilter {
  constructor(private readonly registry: InstanceRegistry) {
    super();
  }

  override catch(exception: SessionElsewhereError, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const context = requestContext(req);
    if (!this.registry.enabled || this.registry.url === null || this.registry.forwardedClientIp(req) !== null || context.clientIp === null) {
      super.catch(exception, host);
      return;
    }
    void this.forward(req, res, exception, context.clientIp).catch(() => super.catch(new InstanceUnavailableError(exception.sessionId), host));
  }

  private async forward(req: Request, res: Response, exception: SessionElsewhereError, clientIp: string): Promise<void> {
    const owner = await this.registry.peer(exception.instanceId);
    if (!owner?.alive) throw new InstanceUnavailableError(exception.sessionId);
    // The owner's registered URL and this route's own path: nothing of the request target the client sent.
    const target = forwardTarget(owner.url, req);
    const context = requestContext(req);
    // The owner audits it, with the client's address and what the turn cost; unless it cannot be reached.
    context.audited = false;
    const answered = await forwardRequest(req, res, target, this.registry.forwardHeaders(req.method, target.pathname, clientIp));
    if (answered) return;
    context.audited = true;
    throw new InstanceUnavailableError(exception.sessionId);
  }
}
