import type { RequestContext } from '@clawdforge/core';
import { AcpxDriver, AcpxSessionRef, AcpxTurnOptions, AcpxTurnResult } from '../acpx-driver';
import { RunCancelledError } from '../cli-errors';
import { HeldCalls } from './held-calls';

/** A turn's result as acpx reports one, with `fields` over plain defaults (the agent's text 'ok', no cost reported). */
export function acpxTurnResult(fields: Partial<AcpxTurnResult> = {}): AcpxTurnResult {
  return {
    events: [{ jsonrpc: '2.0', id: 2, result: { stopReason: 'end_turn' } }],
    stopReason: 'end_turn',
    text: 'ok',
    usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheCreationTokens: 0 },
    agentCostUsd: null,
    toolsRefused: 0,
    durationMs: 1,
    ...fields,
  };
}

/** The ACP message the Claude adapter sends with its running total of what the agent has cost. */
export function usageUpdate(totalUsd: number): Record<string, unknown> {
  return { jsonrpc: '2.0', method: 'session/update', params: { update: { sessionUpdate: 'usage_update', cost: { amount: totalUsd, currency: 'USD' } } } };
}

export interface FakeTurn {
  session: AcpxSessionRef;
  prompt: string;
  options: AcpxTurnOptions;
}

type TurnAnswer = (turn: FakeTurn) => AcpxTurnResult | Promise<AcpxTurnResult>;

/**
 * Stands in for acpx behind AcpxDriver: records the sessions created, prompted, cancelled and
 * closed; answers turns as the spec says (by default acpxTurnResult()), and can hold creates and
 * turns until the spec answers them. A turn whose signal aborts fails with RunCancelledError, as
 * the acpx driver's does.
 */
export class FakeAcpxDriver extends AcpxDriver {
  readonly created: AcpxSessionRef[] = [];
  readonly turns: FakeTurn[] = [];
  readonly cancelled: AcpxSessionRef[] = [];
  readonly closed: AcpxSessionRef[] = [];
  /** Creates held while `heldCreates.hold()` is on; answer with undefined, or fail. */
  readonly heldCreates = new HeldCalls<AcpxSessionRef, void>();
  readonly heldTurns = new HeldCalls<FakeTurn, AcpxTurnResult>();
  private answer: TurnAnswer = () => acpxTurnResult();
  private createError: Error | null = null;
  private closeError: Error | null = null;

  /** Every turn from now on answers this (a result's fields, or a function of the turn). */
  answerWith(answer: Partial<AcpxTurnResult> | TurnAnswer): this {
    this.answer = typeof answer === 'function' ? answer : () => acpxTurnResult(answer);
    return this;
  }

  failTurnsWith(error: Error): this {
    this.answer = () => {
      throw error;
    };
    return this;
  }

  failCreatesWith(error: Error | null): this {
    this.createError = error;
    return this;
  }

  failClosesWith(error: Error | null): this {
    this.closeError = error;
    return this;
  }

  async create(session: AcpxSessionRef, _options?: { firstTurnTimeoutSecs?: number; origin?: RequestContext }): Promise<void> {
    if (this.heldCreates.on) await this.heldCreates.take(session);
    if (this.createError) throw this.createError;
    this.created.push(session);
  }

  async prompt(session: AcpxSessionRef, prompt: string, options: AcpxTurnOptions): Promise<AcpxTurnResult> {
    const turn = { session, prompt, options };
    this.turns.push(turn);
    if (options.signal?.aborted) throw new RunCancelledError();
    if (!this.heldTurns.on) return this.answer(turn);
    const running = this.heldTurns.take(turn);
    const cancel = () => void this.heldTurns.waiting.find((call) => call.request === turn)?.fail(new RunCancelledError());
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await running;
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
  }

  async cancel(session: AcpxSessionRef, _origin?: RequestContext): Promise<void> {
    this.cancelled.push(session);
    for (const call of this.heldTurns.waiting) if (call.request.session.name === session.name) call.fail(new RunCancelledError());
  }

  async close(session: AcpxSessionRef, _origin?: RequestContext): Promise<void> {
    if (this.closeError) throw this.closeError;
    this.closed.push(session);
  }

  async cancelTurnsInFlight(_withinMs: number): Promise<void> {
    for (const call of [...this.heldTurns.waiting]) await this.cancel(call.request.session);
  }

  get spareClients(): number {
    return 0;
  }

  async retireSpares(): Promise<void> {}
}
