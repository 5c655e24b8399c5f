import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { Clock, ERROR_CODES, requestContext } from '@clawdforge/core';
import { AuditService } from './audit.service';

/** Refusals of one peer a minute that keep a request line and an audit row of their own. */
export const REFUSALS_OWN_ROWS_PER_PEER_MINUTE = 5;
/** And of all peers together. */
export const REFUSALS_OWN_ROWS_PER_MINUTE = 50;
/** Peers counted apart in a minute; past them, the rest share one sum without an address. */
export const REFUSAL_PEERS_PER_MINUTE = 256;

const MINUTE_MS = 60_000;
const OTHER_PEERS = Symbol('other peers');

interface PeerMinute {
  own: number;
  summarised: number;
}

/**
 * What refusals of peers outside the allowlist cost: a few of each peer's refusals a minute keep
 * their own request line and audit row (the path tried is worth seeing); the rest only count, and
 * when the minute is over each peer's count becomes one audit row (`requests`: how many, method and
 * route `*`) and one warning line. A flood from outside is visible as a count per peer and minute,
 * and writes at most REFUSALS_OWN_ROWS_PER_MINUTE + REFUSAL_PEERS_PER_MINUTE + 1 rows a minute,
 * however many addresses it comes from, instead of a row and a line per request.
 */
@Injectable()
export class RefusalSampler implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RefusalSampler.name);
  private minute = -1;
  private ownThisMinute = 0;
  private peers = new Map<string | null | typeof OTHER_PEERS, PeerMinute>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** For a request the allowlist refused before routing: keeps its own line and row, or marks it summarised and counts it. */
  refused(req: Request): void {
    const now = this.clock.now().getTime();
    const minute = Math.floor(now / MINUTE_MS);
    if (minute !== this.minute) {
      this.writeSummaries();
      this.minute = minute;
    }
    const ip = requestContext(req).clientIp;
    let key: string | null | typeof OTHER_PEERS = ip;
    let peer = this.peers.get(key);
    if (!peer) {
      if (this.peers.size >= REFUSAL_PEERS_PER_MINUTE) key = OTHER_PEERS;
      peer = this.peers.get(key) ?? { own: 0, summarised: 0 };
      this.peers.set(key, peer);
    }
    if (key !== OTHER_PEERS && peer.own < REFUSALS_OWN_ROWS_PER_PEER_MINUTE && this.ownThisMinute < REFUSALS_OWN_ROWS_PER_MINUTE) {
      peer.own++;
      this.ownThisMinute++;
      return;
    }
    peer.summarised++;
    requestContext(req).summarised = true;
    // Written once the minute is over, even if nothing comes after it.
    this.timer ??= setTimeout(() => this.writeSummaries(), (minute + 1) * MINUTE_MS - now + 1000).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.writeSummaries();
    await this.audit.flush();
  }

  private writeSummaries(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const at = new Date(this.minute * MINUTE_MS);
    for (const [key, peer] of this.peers) {
      if (peer.summarised === 0) continue;
      const clientIp = key === OTHER_PEERS ? null : key;
      const who = key === OTHER_PEERS ? `peers past the first ${REFUSAL_PEERS_PER_MINUTE} of the minute` : (clientIp ?? 'an address that could not be read');
      this.logger.warn(
        `${peer.summarised} more requests from ${who} refused (outside the allowlist) in the minute from ${at.toISOString()}; counted here, without lines or audit rows of their own`,
      );
      void this.audit.record({
        at,
        requestId: null,
        tokenName: null,
        clientIp,
        method: '*',
        route: '*',
        status: ERROR_CODES.ip_not_allowed,
        durationMs: 0,
        errorCode: 'ip_not_allowed',
        model: null,
        promptChars: null,
        responseChars: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        toolsRefused: null,
        sessionId: null,
        turnIndex: null,
        queueMs: null,
        endUser: null,
        requests: peer.summarised,
      });
    }
    this.peers = new Map();
    this.ownThisMinute = 0;
  }
}
