import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { IPv4, IPv6 } from 'ipaddr.js';
import { AppConfig, CidrList, InstanceRegistry, isLoopback, parseAddress } from '@clawdforge/core';

type Address = IPv4 | IPv6;

const ADDRESS = Symbol('clawdforge.clientAddress');

/**
 * Who may knock. The client address is Express's `req.ip`: the socket's peer, or the
 * X-Forwarded-For hop chosen by `trust proxy`, which is set only when TRUST_PROXY is; on a request
 * another instance forwarded (a session's turn), the address that instance vouched for.
 */
@Injectable()
export class ClientIpPolicy {
  private readonly globalList: CidrList;

  constructor(
    config: AppConfig,
    private readonly instances: InstanceRegistry,
  ) {
    this.globalList = new CidrList(config.allowCidrs);
  }

  /** Read once per request (the allowlist middleware, then the guards, ask again). */
  clientAddress(req: Request): Address | null {
    const holder = req as Request & { [ADDRESS]?: Address | null };
    if (holder[ADDRESS] !== undefined) return holder[ADDRESS];
    const ip = this.instances.forwardedClientIp(req) ?? req.ip ?? req.socket.remoteAddress;
    return (holder[ADDRESS] = ip ? parseAddress(ip) : null);
  }

  /** Loopback always passes the global list. */
  allowedGlobally(address: Address): boolean {
    return isLoopback(address) || this.globalList.contains(address);
  }

  /** A token's own list, when it has one, must match too: loopback gets no exemption there. */
  allowedForToken(address: Address, tokenCidrs: readonly string[] | null): boolean {
    return !tokenCidrs || tokenCidrs.length === 0 || new CidrList(tokenCidrs).contains(address);
  }
}
