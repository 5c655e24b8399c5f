import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { IPv4, IPv6 } from 'ipaddr.js';
import { AppConfig, BoundedMap, CidrList, ClientPeer, isLoopback, parseAddress, requestContext } from '@clawdforge/core';
import { InstanceRegistry } from '@clawdforge/cluster';

type Address = IPv4 | IPv6;

/** Distinct client addresses remembered. */
const MAX_REMEMBERED_PEERS = 4096;
const NO_PEER: ClientPeer = { address: null, text: null, allowedGlobally: false };

/**
 * Who may knock. The client address is the socket's peer, or, when TRUST_PROXY is set, the
 * X-Forwarded-For hop Express's `trust proxy` chooses; on a request another instance forwarded (a
 * session's turn), the address that instance vouched for. An address is parsed and checked against
 * ALLOW_CIDRS once, then remembered: a LAN has few clients, each sending many requests.
 */
@Injectable()
export class ClientIpPolicy {
  private readonly globalList: CidrList;
  private readonly trustsProxy: boolean;
  private readonly peers = new BoundedMap<string, ClientPeer>(MAX_REMEMBERED_PEERS);

  constructor(
    config: AppConfig,
    private readonly instances: InstanceRegistry,
  ) {
    this.globalList = new CidrList(config.server.allowCidrs);
    this.trustsProxy = config.server.trustProxy !== false;
  }

  /** The request's client, read once per request (the allowlist middleware, then the guards, ask again). */
  peer(req: Request): ClientPeer {
    const context = requestContext(req);
    if (context.peer) return context.peer;
    // Without a trusted proxy Express's req.ip is the socket's peer, reached without parsing X-Forwarded-For.
    const ip = this.instances.forwardedClientIp(req) ?? (this.trustsProxy ? req.ip : undefined) ?? req.socket.remoteAddress;
    return (context.peer = ip ? this.peerAt(ip) : NO_PEER);
  }

  clientAddress(req: Request): Address | null {
    return this.peer(req).address;
  }

  /** A token's own list, when it has one, must match too: loopback gets no exemption there. */
  allowedForToken(address: Address, tokenCidrs: readonly string[] | null): boolean {
    return !tokenCidrs || tokenCidrs.length === 0 || new CidrList(tokenCidrs).contains(address);
  }

  private peerAt(ip: string): ClientPeer {
    let peer = this.peers.get(ip);
    if (!peer) {
      const address = parseAddress(ip);
      peer = address ? { address, text: address.toString(), allowedGlobally: isLoopback(address) || this.globalList.contains(address) } : NO_PEER;
      this.peers.set(ip, peer);
    }
    return peer;
  }
}
