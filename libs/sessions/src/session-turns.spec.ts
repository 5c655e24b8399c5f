import { RequestContext } from '@clawdforge/core';
import type { TokenPolicy } from '@clawdforge/auth';
import { tokenWith } from '@clawdforge/auth/testing';
import { CliFailedError, RunCancelledError } from '@clawdforge/runners';
import { acpxTurnResult, usageUpdate } from '@clawdforge/runners/testing';
import { newSessions, sessionRow } from '@clawdforge/sessions/testing';
import type { AgentSession } from './agent-session.entity';
import { DEFAULT_TURN_TIMEOUT_SECS } from './dto/turn-request.dto';
import type { TurnProgress } from './session-turns';
import { SessionBusyError, SessionClosedError, SessionElsewhereError, SessionNotFoundError } from './sessions-errors';

const alice = (policy: Partial<TokenPolicy> = {}) => tokenWith(policy, { id: 1, name: 'alice' });
const bob = tokenWith({}, { id: 2, name: 'bob' });
const settled = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};
const outcomeOf = (promise: Promise<unknown>) => promise.then(() => 'answered', (error: unknown) => error);

describe('a session’s turns', () => {
  let under: ReturnType<typeof newSessions>;
  let session: AgentSession;
  /** A turn as POST /sessions/:id/turn sends it, with the controller its client's going away aborts. */
  const turn = (owner = alice(), prompt = 'hi', progress?: TurnProgress, id = session.id) => {
    const client = new AbortController();
    const request = new RequestContext('POST');
    return { answer: under.service.turn(owner, id, { prompt }, request, client.signal, progress), client, request };
  };
  const usageRows = () => under.usage.ledger.rows;

  beforeEach(async () => {
    under = newSessions();
    session = await under.service.create(alice(), { system: 'be brief' }, new RequestContext('POST'));
  });

  it('sends the prompt to the session’s agent where it lives, and answers what the agent said', async () => {
    const events = [{ jsonrpc: '2.0', method: 'session/update', params: { update: { sessionUpdate: 'agent_message_chunk' } } }];
    under.acpx.answerWith({ events, stopReason: 'end_turn', toolsRefused: 1 });
    const response = await turn(alice(), 'draft a migration').answer;
    expect(response).toMatchObject({ ok: true, session_id: session.id, turn_index: 1, events, stop_reason: 'end_turn', tools_refused: 1, late_events: [] });
    expect(under.acpx.turns).toEqual([
      expect.objectContaining({
        prompt: 'draft a migration',
        session: { name: session.id, agent: 'claude', cwd: session.cwd, model: 'sonnet', system: 'be brief', configDir: under.logins.dirOf(session.claudeLogin), stateDir: under.workspace.stateDirOf(session.id) },
        options: expect.objectContaining({ timeoutSecs: DEFAULT_TURN_TIMEOUT_SECS }),
      }),
    ]);
  });

  it('counts the session’s turns and its last activity in the ledger', async () => {
    under.clock.advance(60);
    await turn().answer;
    expect(under.ledger.row(session.id)).toMatchObject({ turnCount: 1, busy: false, lastActivityAt: under.clock.now() });
    expect((await turn().answer).turn_index).toBe(2);
  });

  it('fills the audit row: the session, its model, the turn’s number, sizes, tokens and cost', async () => {
    under.acpx.answerWith({ text: 'done', agentCostUsd: 0.25, toolsRefused: 1 });
    const { answer, request } = turn(alice(), 'go on');
    await answer;
    expect(request.audit).toMatchObject({ sessionId: session.id, model: 'sonnet', turnIndex: 1, promptChars: 5, responseChars: 4, inputTokens: 10, outputTokens: 5, costUsd: 0.25, toolsRefused: 1 });
  });

  it('tells the caller the turn started, then each event as the agent sends it', async () => {
    const said: string[] = [];
    under.acpx.answerWith((sent) => {
      sent.options.onEvent?.({ method: 'session/update' });
      return acpxTurnResult();
    });
    await turn(alice(), 'hi', { started: () => said.push('started'), event: (event) => said.push(String(event.method)) }).answer;
    expect(said).toEqual(['started', 'session/update']);
  });

  describe('whose session, and in what state', () => {
    it('answers another token’s session as unknown, 404, and sends it nothing', async () => {
      const error = await outcomeOf(turn(bob).answer);
      expect(error).toBeInstanceOf(SessionNotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'session_not_found' });
      expect(under.acpx.turns).toEqual([]);
    });

    it('refuses a turn of a closed session, 409 session_closed', async () => {
      await under.service.close(alice(), session.id, new RequestContext('DELETE'));
      expect(await outcomeOf(turn().answer)).toBeInstanceOf(SessionClosedError);
      expect(under.acpx.turns).toEqual([]);
    });

    it('refuses a turn of a session another instance holds, 409 session_elsewhere naming it', async () => {
      const elsewhere = under.ledger.build(sessionRow({ instanceId: 'instance-there' }));
      await under.ledger.insert(elsewhere);
      const error = await outcomeOf(turn(alice(), 'hi', undefined, elsewhere.id).answer);
      expect(error).toBeInstanceOf(SessionElsewhereError);
      expect(error).toMatchObject({ status: 409, instanceId: 'instance-there' });
    });
  });

  describe('one turn at a time', () => {
    it('refuses a turn while one runs, 409 session_busy, and takes the next once it ends', async () => {
      under.acpx.heldTurns.hold();
      const first = turn();
      await under.acpx.heldTurns.next();
      expect(under.service.isBusy(session)).toBe(true);
      expect(under.ledger.row(session.id)?.busy).toBe(true);
      const error = await outcomeOf(turn().answer);
      expect(error).toBeInstanceOf(SessionBusyError);
      expect(error).toMatchObject({ status: 409, code: 'session_busy' });
      under.acpx.heldTurns.stopHolding();
      under.acpx.heldTurns.answerAll(() => acpxTurnResult());
      await first.answer;
      expect(under.service.isBusy(session)).toBe(false);
      expect(under.ledger.row(session.id)?.busy).toBe(false);
      await expect(turn().answer).resolves.toMatchObject({ turn_index: 2 });
    });

    it('lets another session of the same token turn meanwhile', async () => {
      const other = await under.service.create(alice(), {}, new RequestContext('POST'));
      under.acpx.heldTurns.hold();
      const first = turn();
      await under.acpx.heldTurns.next();
      const second = turn(alice(), 'hi', undefined, other.id);
      await under.acpx.heldTurns.next(2);
      under.acpx.heldTurns.answerAll(() => acpxTurnResult());
      await Promise.all([first.answer, second.answer]);
    });

    it('answers before acpx has exited, and the next turn waits for it to exit', async () => {
      let exited: (events: Record<string, unknown>[]) => void = () => undefined;
      under.acpx.answerWith(() => acpxTurnResult({ drained: new Promise((resolve) => (exited = resolve)) }));
      await turn().answer;
      expect(under.service.isBusy(session)).toBe(false);
      under.acpx.answerWith({});
      const next = turn();
      await settled();
      expect(under.acpx.turns).toHaveLength(1);
      exited([]);
      await expect(next.answer).resolves.toMatchObject({ turn_index: 2 });
    });

    it('keeps the agent’s messages that came while acpx exited, for a read of the session and then the next turn', async () => {
      const late = { jsonrpc: '2.0', method: 'session/update', params: { update: { sessionUpdate: 'agent_thought_chunk' } } };
      let exited: (events: Record<string, unknown>[]) => void = () => undefined;
      under.acpx.answerWith(() => acpxTurnResult({ drained: new Promise((resolve) => (exited = resolve)) }));
      expect((await turn().answer).late_events).toEqual([]);
      exited([late]);
      await settled();
      expect(under.service.lateEventsOf(session)).toEqual([late]);
      under.acpx.answerWith({});
      expect(await turn().answer).toMatchObject({ turn_index: 2, late_events: [late] });
      expect(under.service.lateEventsOf(session)).toEqual([]);
    });
  });

  describe('what a turn costs', () => {
    it('charges each turn what the agent’s running total grew by, from zero again when the agent restarted', async () => {
      for (const total of [0.3, 0.5, 0.1]) {
        under.acpx.answerWith({ agentCostUsd: total });
        await turn().answer;
      }
      expect(usageRows().map((row) => [row.kind, row.outcome, row.costUsd])).toEqual([
        ['turn', 'ok', 0.3],
        ['turn', 'ok', expect.closeTo(0.2)],
        ['turn', 'ok', 0.1],
      ]);
      expect(under.ledger.row(session.id)?.agentCostUsd).toBe(0.1);
    });

    it('counts a turn the agent reports no cost for as free, and keeps the running total it had', async () => {
      under.acpx.answerWith({ agentCostUsd: 0.3 });
      await turn().answer;
      under.acpx.answerWith({ agentCostUsd: null });
      await turn().answer;
      expect(usageRows().map((row) => row.costUsd)).toEqual([0.3, 0]);
      expect(under.ledger.row(session.id)?.agentCostUsd).toBe(0.3);
    });

    it('records what the turn used under the session’s model and the token', async () => {
      under.acpx.answerWith({ usage: { inputTokens: 40, outputTokens: 9, cacheReadTokens: 3, cacheCreationTokens: 1 } });
      await turn().answer;
      expect(usageRows()).toEqual([expect.objectContaining({ tokenName: 'alice', kind: 'turn', model: 'sonnet', inputTokens: 40, outputTokens: 9, cacheReadTokens: 3, cacheCreationTokens: 1 })]);
    });

    it('stops a turn once the agent reports spending past what its hold lets it, records what it spent, and refuses naming the turn', async () => {
      under.acpx.heldTurns.hold();
      const running = turn(alice({ budgetUsdDay: 0.5 }));
      const call = await under.acpx.heldTurns.next();
      call.request.options.onEvent?.(usageUpdate(0.4));
      expect(call.request.options.signal?.aborted).toBe(false);
      call.request.options.onEvent?.(usageUpdate(0.6));
      const error = await outcomeOf(running.answer);
      expect(error).toMatchObject({ status: 429, code: 'budget_exceeded', message: 'the turn was stopped when it reached its budget for this UTC day ($0.5)' });
      expect(usageRows()).toEqual([expect.objectContaining({ outcome: 'budget_exceeded', costUsd: 0.6 })]);
      expect(under.ledger.row(session.id)?.agentCostUsd).toBe(0.6);
      expect(under.service.isBusy(session)).toBe(false);
    });

    it('records a failed turn under its error code, with what the agent reported spending before it failed', async () => {
      under.acpx.heldTurns.hold();
      const running = turn();
      const call = await under.acpx.heldTurns.next();
      call.request.options.onEvent?.(usageUpdate(0.2));
      call.fail(new CliFailedError('the agent exited', 'agent_failed'));
      expect(await outcomeOf(running.answer)).toMatchObject({ code: 'agent_failed' });
      expect(usageRows()).toEqual([expect.objectContaining({ outcome: 'agent_failed', costUsd: 0.2 })]);
      expect(under.ledger.row(session.id)).toMatchObject({ agentCostUsd: 0.2, turnCount: 0, busy: false });
    });

    it('records a turn whose client went away as cancelled, and frees the session', async () => {
      under.acpx.heldTurns.hold();
      const running = turn();
      await under.acpx.heldTurns.next();
      running.client.abort();
      expect(await outcomeOf(running.answer)).toBeInstanceOf(RunCancelledError);
      expect(usageRows()).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
      under.acpx.heldTurns.stopHolding();
      await expect(turn().answer).resolves.toMatchObject({ ok: true });
    });

    it('refuses a turn of a token whose budget is spent before it reaches the agent, 429', async () => {
      under.usage.ledger.spent('alice', 1, under.clock.now());
      expect(await outcomeOf(turn(alice({ budgetUsdDay: 1 })).answer)).toMatchObject({ status: 429, code: 'budget_exceeded' });
      expect(under.acpx.turns).toEqual([]);
      expect(under.service.isBusy(session)).toBe(false);
    });

    it('refuses a turn in a model the token may no longer use', async () => {
      expect(await outcomeOf(turn(alice({ models: ['haiku'] })).answer)).toMatchObject({ status: 400, code: 'model_not_allowed' });
      expect(under.acpx.turns).toEqual([]);
    });

    it('holds back a turn while the token’s turn in another session holds all its budget, then gives it what that one left', async () => {
      const other = await under.service.create(alice(), {}, new RequestContext('POST'));
      under.acpx.heldTurns.hold();
      const first = turn(alice({ budgetUsdDay: 0.5 }));
      const firstCall = await under.acpx.heldTurns.next();
      const second = turn(alice({ budgetUsdDay: 0.5 }), 'hi', undefined, other.id);
      await settled();
      expect(under.acpx.turns).toHaveLength(1);
      firstCall.answer(acpxTurnResult({ agentCostUsd: 0.45 }));
      await first.answer;
      const secondCall = await under.acpx.heldTurns.next();
      secondCall.request.options.onEvent?.(usageUpdate(0.06));
      expect(await outcomeOf(second.answer)).toMatchObject({ code: 'budget_exceeded' });
    });
  });
});
