import { Injectable, Logger } from '@nestjs/common';
import type { TokenPrincipal } from '@clawdforge/auth';
import { ApiError, Clock, RequestContext, requestLogFields } from '@clawdforge/core';
import { AcpxDriver, AcpxSessionRef, reportedCostUsd } from '@clawdforge/runners';
import { DUST_USD, UsageFact, UsagePolicy } from '@clawdforge/usage';
import type { AgentSession } from './agent-session.entity';
import { TurnResponse } from './dto/session.view';
import { DEFAULT_TURN_TIMEOUT_SECS, TurnRequestDto } from './dto/turn-request.dto';
import { SessionRepository } from './session.repository';
import { SessionBusyError } from './sessions-errors';

/** How long a turn waits for the previous turn's acpx to finish before it answers 409 session_busy. */
const DRAIN_WAIT_MS = 10_000;

export interface TurnProgress {
  started(): void;
  event(event: Record<string, unknown>): void;
}

/**
 * One turn at a time per session, in this process: admission by the token's policy, a hold on its
 * budget (a turn that spends past it is stopped), the turn through acpx, what it cost settled in
 * the ledger before the answer. A turn is answered as soon
 * as the agent's result arrives; acpx lingers about a second after it, and the session stays taken
 * ("draining") until acpx has exited, keeping the agent messages that arrive meanwhile.
 */
@Injectable()
export class SessionTurns {
  private readonly logger = new Logger(SessionTurns.name);
  /** Sessions with a turn running in this process: the authority on busy, the ledger's column its mirror. */
  private readonly turning = new Set<string>();
  private readonly draining = new Map<string, Promise<void>>();
  /** Agent messages that arrived during a drain, kept for GET /sessions/:id and handed to the next turn. */
  private readonly lateEvents = new Map<string, Record<string, unknown>[]>();

  constructor(
    private readonly ledger: SessionRepository,
    private readonly clock: Clock,
    private readonly acpx: AcpxDriver,
    private readonly policy: UsagePolicy,
  ) {}

  run(owner: TokenPrincipal, session: AgentSession, ref: AcpxSessionRef, body: TurnRequestDto, request: RequestContext, signal: AbortSignal, progress?: TurnProgress): Promise<TurnResponse> {
    // Its client gone, the turn is stopped and settles what the agent reported spending; the audit row waits for that.
    return request.track(this.runTurn(owner, session, ref, body, request, signal, progress));
  }

  private async runTurn(owner: TokenPrincipal, session: AgentSession, ref: AcpxSessionRef, body: TurnRequestDto, request: RequestContext, signal: AbortSignal, progress?: TurnProgress): Promise<TurnResponse> {
    const audit = request.audit;
    await this.takeTurn(session.id);
    await this.policy.admit(owner, { kind: 'turn', model: session.model });
    const budget = await this.policy.hold(owner, signal);
    try {
      await this.takeTurn(session.id);
    } catch (error) {
      budget.release();
      throw error;
    }
    this.turning.add(session.id);
    let drained: Promise<Record<string, unknown>[]> | undefined;
    const turnIndex = session.turnCount + 1;
    audit.turnIndex = turnIndex;
    const spend = new TurnSpend(session.agentCostUsd);
    try {
      await this.ledger.update(session.id, { busy: true, lastActivityAt: this.clock.now() });
      progress?.started();
      const result = await this.acpx.prompt(ref, body.prompt, {
        timeoutSecs: body.timeout_secs ?? DEFAULT_TURN_TIMEOUT_SECS,
        signal: AbortSignal.any([signal, spend.stopped]),
        onEvent: (event) => {
          spend.note(event, budget.capUsd);
          progress?.event(event);
        },
        origin: request,
      });
      drained = result.drained;
      audit.responseChars = result.text.length;
      audit.inputTokens = result.usage.inputTokens;
      audit.outputTokens = result.usage.outputTokens;
      audit.toolsRefused = result.toolsRefused;
      const costUsd = turnCost(session.agentCostUsd, result.agentCostUsd);
      audit.costUsd = costUsd;
      await this.ledger.update(session.id, { turnCount: turnIndex, agentCostUsd: result.agentCostUsd ?? session.agentCostUsd });
      await this.policy.settle(owner, { kind: 'turn', model: session.model, outcome: 'ok', ...result.usage, costUsd, toolsRefused: result.toolsRefused });
      return {
        ok: true,
        session_id: session.id,
        turn_index: turnIndex,
        events: result.events,
        stop_reason: result.stopReason,
        tools_refused: result.toolsRefused,
        duration_ms: result.durationMs,
        late_events: this.takeLateEvents(session.id),
      };
    } catch (error) {
      // What the agent reported spending counts, however the turn ended.
      const costUsd = turnCost(session.agentCostUsd, spend.total);
      audit.costUsd = costUsd;
      if (spend.total !== null) await this.ledger.update(session.id, { agentCostUsd: spend.total });
      const stoppedForBudget = spend.overBudget && !signal.aborted;
      await this.policy.settle(owner, turnFailure(session.model, stoppedForBudget ? 'budget_exceeded' : error, costUsd));
      if (stoppedForBudget) throw await this.policy.budgetStop(owner, 'turn');
      throw error;
    } finally {
      budget.release();
      if (drained) this.drain(session.id, drained, request);
      else await this.endTurn(session.id);
    }
  }

  /** A turn is running (a session whose answered turn's acpx is still finishing is not busy: its next turn waits for it). */
  isBusy(id: string): boolean {
    return this.turning.has(id) && !this.draining.has(id);
  }

  /** A turn is running or its acpx is still finishing. */
  isTaken(id: string): boolean {
    return this.turning.has(id);
  }

  /** Agent messages of the last turn that arrived after it was answered. */
  lateEventsOf(id: string): Record<string, unknown>[] {
    return this.lateEvents.get(id) ?? [];
  }

  /** The session is closed: nothing of it is kept. */
  forget(id: string): void {
    this.lateEvents.delete(id);
  }

  /** Waits, a bounded time, for the previous turn's acpx to finish; then a turn still running is a 409. */
  private async takeTurn(id: string): Promise<void> {
    const pending = this.draining.get(id);
    if (pending) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_WAIT_MS)));
      await Promise.race([pending, bound]);
      clearTimeout(timer);
    }
    if (this.turning.has(id)) throw new SessionBusyError(id);
  }

  private async endTurn(id: string): Promise<void> {
    this.turning.delete(id);
    await this.ledger.update(id, { busy: false, lastActivityAt: this.clock.now() });
  }

  /** The turn is answered; the session stays taken until acpx has exited, and keeps what came in meanwhile. */
  private drain(id: string, drained: Promise<Record<string, unknown>[]>, request: RequestContext): void {
    const done = drained
      .then((events) => {
        if (events.length > 0) this.lateEvents.set(id, [...(this.lateEvents.get(id) ?? []), ...events]);
      })
      .then(() => this.endTurn(id))
      .catch((error: Error) => this.logger.error(requestLogFields(request), `session ${id} not released after its turn: ${error.message}`))
      .finally(() => this.draining.delete(id));
    this.draining.set(id, done);
  }

  private takeLateEvents(id: string): Record<string, unknown>[] {
    const events = this.lateEvents.get(id) ?? [];
    this.lateEvents.delete(id);
    return events;
  }
}

/**
 * What this turn cost: the agent reports a running total for its process, which starts again from
 * zero when acpx restarts the agent (a total below the last one). Turns it reports nothing for
 * count as free.
 */
function turnCost(before: number | null, after: number | null): number | null {
  if (after === null) return null;
  return before !== null && after >= before ? after - before : after;
}

/** A turn that failed: recorded with its error, and what the agent reported it cost before it ended. */
function turnFailure(model: string, error: unknown, costUsd: number | null): UsageFact {
  return {
    kind: 'turn',
    model,
    outcome: typeof error === 'string' ? error : error instanceof ApiError ? error.code : 'internal_error',
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheCreationTokens: null,
    costUsd,
  };
}

/**
 * What a turn has cost so far, from the running totals the agent reports as it works (the Claude
 * adapter's usage updates); the turn is stopped once that passes what its budget hold lets it spend.
 */
class TurnSpend {
  /** The agent's latest running total, null until it reports one. */
  total: number | null = null;
  overBudget = false;
  private readonly stop = new AbortController();

  constructor(private readonly before: number | null) {}

  get stopped(): AbortSignal {
    return this.stop.signal;
  }

  note(event: Record<string, unknown>, capUsd: number | null): void {
    const total = reportedCostUsd(event);
    if (total === null) return;
    this.total = total;
    if (capUsd !== null && !this.overBudget && (turnCost(this.before, total) ?? 0) > capUsd + DUST_USD) {
      this.overBudget = true;
      this.stop.abort();
    }
  }
}
