import { ForbiddenError } from '@clawdforge/core';

export class IpNotAllowedError extends ForbiddenError {
  constructor(ip: string | null) {
    super('ip_not_allowed', ip ? `client address ${ip} is not allowed` : 'client address could not be determined');
  }
}
