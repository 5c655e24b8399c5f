import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestContext } from '@clawdforge/core';
import { forwardRequest, forwardTarget } from './forward-request';
import { InstanceRegistry } from './instance-registry';

/**
 * Sends a request whose work another instance holds (a session's acpx, a parked tool run) on to
 * that instance, and its answer, streamed or not, back as it comes: the client sees one service.
 * The owner checks the token again and writes the audit row with the client's address; this
 * instance writes none, unless the owner could not be reached.
 */
@Injectable()
export class OwnerForwarder {
  constructor(private readonly registry: InstanceRegistry) {}

  /** Several instances, this one announced, and `req` not itself forwarded by another (a forwarded request goes no further). */
  mayForward(req: Request): boolean {
    return this.registry.enabled && this.registry.url !== null && this.registry.forwardedClientIp(req) === null && requestContext(req).clientIp !== null;
  }

  /**
   * Forwards `req` to the instance `instanceId`. True once its answer has begun; false when that
   * instance is not alive or could not be reached, and nothing was written.
   */
  async forward(req: Request, res: Response, instanceId: string): Promise<boolean> {
    const context = requestContext(req);
    const owner = await this.registry.peer(instanceId);
    if (!owner?.alive || context.clientIp === null) return false;
    // The owner's registered URL and this route's own path: nothing of the request target the client sent.
    const target = forwardTarget(owner.url, req);
    context.audited = false;
    const answered = await forwardRequest(req, res, target, this.registry.forwardHeaders(req.method, target.pathname, context.clientIp));
    if (!answered) context.audited = true;
    return answered;
  }
}
