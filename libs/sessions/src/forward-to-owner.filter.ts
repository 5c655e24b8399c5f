import { ArgumentsHost, Catch, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiExceptionFilter } from '@clawdforge/core';
import { OwnerForwarder } from '@clawdforge/cluster';
import { InstanceUnavailableError, SessionElsewhereError } from './sessions-errors';

/**
 * A turn or close of a session whose acpx runs on another instance (several instances behind one
 * load balancer on one PostgreSQL) goes on to that instance (OwnerForwarder). A request that was
 * itself forwarded is not forwarded again (409 session_elsewhere), and an owner that is not alive
 * answers 503 instance_unavailable.
 */
@Injectable()
@Catch(SessionElsewhereError)
export class ForwardToOwnerFilter extends ApiExceptionFilter {
  constructor(private readonly forwarder: OwnerForwarder) {
    super();
  }

  override catch(exception: SessionElsewhereError, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (!this.forwarder.mayForward(req)) {
      super.catch(exception, host);
      return;
    }
    const unavailable = () => super.catch(new InstanceUnavailableError(exception.sessionId), host);
    void this.forwarder.forward(req, res, exception.instanceId).then((answered) => answered || unavailable(), unavailable);
  }
}
