import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, Clock, InvalidRequestError } from '@clawdforge/core';
import { InstanceIdentity, InstanceRegistry } from '@clawdforge/cluster';
import { IDEMPOTENCY_KEY_HEADER, IdempotencyKeyReusedError } from './idempotency-errors';
import { IdempotencyRecord } from './idempotency-record.entity';
import { IdempotencyRepository } from './idempotency.repository';
import { AnswerHead, LiveAnswer } from './live-answers';

/** 1–255 printable ASCII characters, as the Idempotency-Key draft and Stripe take them. */
const KEY_SHAPE = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;
/** How often a duplicate whose first request runs on another instance looks for its answer. */
const POLL_MS = 200;
/** What the crash left of a request answered on an instance that died: the retry is told so. */
export const INTERRUPTED_STATUS = 502;

/** A kept answer, as a retry is given it. */
export interface KeptAnswer extends AnswerHead {
  body: string;
}

/** What a request with a key is to do: the work (it is the first), or give the answer kept for it. */
export type KeyOutcome = { kind: 'first'; live: LiveAnswer } | { kind: 'kept'; answer: KeptAnswer } | { kind: 'live'; live: LiveAnswer } | { kind: 'interrupted' };

/** The request as the key's fingerprint takes it: what makes two requests "the same". */
export interface RequestShape {
  method: string;
  path: string;
  accept: string;
  body: unknown;
}

/**
 * Idempotency-Keys: at most one piece of work per key and token, and its answer kept for
 * IDEMPOTENCY_TTL_SECS to be given again to a retry. The first request with a key does the work;
 * one with the same key and the same request gets the kept answer (or, while the first is still
 * being answered, follows it: live when on this instance, once it is kept when on another); one
 * with the same key and another request is refused. An answer that says nothing happened (4xx,
 * 503) is not kept, so the retry does the work.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly live = new Map<string, LiveAnswer>();

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: IdempotencyRepository,
    private readonly instance: InstanceIdentity,
    private readonly registry: InstanceRegistry,
  ) {}

  /** The header's key, checked; undefined when the request carries none. */
  keyOf(header: string | string[] | undefined): string | undefined {
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || !KEY_SHAPE.test(header)) {
      throw new InvalidRequestError(`${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 printable ASCII characters, sent once`, IDEMPOTENCY_KEY_HEADER);
    }
    return header;
  }

  /** Whether a request with this key does the work, or is answered from the first one. */
  async begin(tokenId: number, key: string, request: RequestShape): Promise<KeyOutcome> {
    const fingerprint = fingerprintOf(request);
    for (;;) {
      const now = this.clock.now();
      const claimed = await this.repository.claim(
        Object.assign(new IdempotencyRecord(), {
          tokenId,
          key,
          fingerprint,
          state: 'running' as const,
          instanceId: this.instance.id,
          status: null,
          headers: null,
          body: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.config.idempotency.ttlSecs * 1000),
        }),
      );
      if (claimed) {
        const live = new LiveAnswer();
        this.live.set(liveKey(tokenId, key), live);
        return { kind: 'first', live };
      }
      const kept = await this.repository.find(tokenId, key);
      // Gone meanwhile (its first answer was not kept): this one is the first now.
      if (kept === null) continue;
      if (kept.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      if (kept.expiresAt <= now) {
        await this.repository.remove(tokenId, key);
        continue;
      }
      if (kept.state === 'done') return kept.status === INTERRUPTED_STATUS && kept.body === null ? { kind: 'interrupted' } : { kind: 'kept', answer: answerOf(kept) };
      const live = this.live.get(liveKey(tokenId, key));
      if (live) return { kind: 'live', live };
      // Being answered on another instance: its answer once it is kept; unless that instance is gone.
      if (this.registry.enabled && kept.instanceId !== null && kept.instanceId !== this.instance.id && !(await this.registry.peer(kept.instanceId))?.alive) {
        await this.repository.finish(tokenId, key, { status: INTERRUPTED_STATUS, headers: null, body: null, expiresAt: kept.expiresAt });
        return { kind: 'interrupted' };
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The first request's answer is written: kept when it says work was done, forgotten (and the key free again) when not. */
  async finish(tokenId: number, key: string, live: LiveAnswer): Promise<void> {
    this.live.delete(liveKey(tokenId, key));
    const head = live.head;
    try {
      if (head === null || !worthKeeping(head.status)) {
        await this.repository.remove(tokenId, key);
        return;
      }
      const now = this.clock.now();
      await this.repository.finish(tokenId, key, {
        status: head.status,
        headers: JSON.stringify(head.headers),
        body: Buffer.concat(live.chunks).toString('utf8'),
        expiresAt: new Date(now.getTime() + this.config.idempotency.ttlSecs * 1000),
      });
    } catch (error) {
      this.logger.error(`the answer for an Idempotency-Key was not kept: ${(error as Error).message}`);
    }
  }

  /**
   * At the server's start (StartupReconciliation; not the admin CLI's, which shares the database
   * with a running server): keys this instance was answering when it stopped are closed as
   * interrupted, so a retry is told rather than paying again.
   */
  async reconcile(): Promise<void> {
    for (const cut of await this.repository.runningOn(this.instance.id)) {
      await this.repository.finish(cut.tokenId, cut.key, { status: INTERRUPTED_STATUS, headers: null, body: null, expiresAt: cut.expiresAt });
    }
  }

  /** Kept answers past IDEMPOTENCY_TTL_SECS go; returns how many. */
  sweep(): Promise<number> {
    return this.repository.deleteExpired(this.clock.now());
  }
}

/** Work was done: a success, or a failure after the work began (502, 504). A refusal (4xx) or an unavailable service (503) did nothing. */
function worthKeeping(status: number): boolean {
  return status < 400 || (status >= 500 && status !== 503);
}

function fingerprintOf(request: RequestShape): string {
  return createHash('sha256').update(JSON.stringify([request.method, request.path, request.accept, canonical(request.body)])).digest('hex');
}

/** The body with every object's keys in order: the same JSON sent with its keys in another order is the same request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

function answerOf(record: IdempotencyRecord): KeptAnswer {
  return { status: record.status ?? 500, headers: JSON.parse(record.headers ?? '{}') as Record<string, string>, body: record.body ?? '' };
}

const liveKey = (tokenId: number, key: string) => `${tokenId}\n${key}`;
