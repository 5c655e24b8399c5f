import { Logger } from '@nestjs/common';
import { encodeCursor, RequestContext } from '@clawdforge/core';
import type { TokenPolicy } from '@clawdforge/auth';
import { tokenWith } from '@clawdforge/auth/testing';
import { acpxTurnResult } from '@clawdforge/runners/testing';
import { newSessions, sessionRow, THIS_INSTANCE } from '@clawdforge/sessions/testing';
import type { AgentSession } from './agent-session.entity';
import { SessionElsewhereError, SessionNotFoundError, TooManySessionsError } from './sessions-errors';

const alice = (policy: Partial<TokenPolicy> = {}) => tokenWith(policy, { id: 1, name: 'alice' });
const bob = tokenWith({}, { id: 2, name: 'bob' });
const TTL_SECS = 3600;
const HARD_TTL_SECS = 86_400;
const settled = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};
const outcomeOf = (promise: Promise<unknown>) => promise.then(() => 'answered', (error: unknown) => error);

describe('SessionsService', () => {
  let under: ReturnType<typeof newSessions>;
  const create = (owner = alice(), body: { agent?: string; model?: string; system?: string } = {}) => under.service.create(owner, body, new RequestContext('POST'));
  const close = (owner: ReturnType<typeof alice>, id: string) => under.service.close(owner, id, new RequestContext('DELETE'));
  /** A row already in the ledger, as an earlier create (or another instance) left it. */
  const seed = async (fields: Partial<Omit<AgentSession, 'seq'>> = {}) => {
    const session = under.ledger.build(sessionRow(fields));
    await under.ledger.insert(session);
    return session;
  };

  afterEach(() => jest.restoreAllMocks());
  beforeEach(() => {
    under = newSessions({ SESSIONS_MAX_OPEN: '3', SESSIONS_MAX_OPEN_PER_TOKEN: '2', SESSION_AGENTS: 'claude,codex', MODEL_ALLOWLIST: 'sonnet,haiku' });
  });

  describe('create', () => {
    it('opens a session: its agent made in acpx, its directories, its row in the ledger, open and on this instance', async () => {
      const session = await create(alice(), { system: 'review SQL' });
      expect(under.ledger.row(session.id)).toMatchObject({
        ownerTokenId: 1,
        agent: 'claude',
        model: 'sonnet',
        systemPrompt: 'review SQL',
        status: 'open',
        busy: false,
        turnCount: 0,
        instanceId: THIS_INSTANCE,
        cwd: under.workspace.dirOf(session.id),
        createdAt: under.clock.now(),
        claudeLogin: under.logins.all[0].label,
      });
      expect(under.acpx.created).toEqual([expect.objectContaining({ name: session.id, agent: 'claude', system: 'review SQL', stateDir: under.workspace.stateDirOf(session.id) })]);
      expect(under.workspace.states.get(session.id)).toBe(under.logins.all[0].dir);
    });

    it('puts a session on a login that is not cooling, and keeps it there for the session’s life', async () => {
      under = newSessions({ CLAUDE_CONFIG_DIRS: 'first=/logins/first,second=/logins/second' });
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      under.logins.cool(0, null);
      const session = await create();
      expect(session.claudeLogin).toBe('second');
      expect(under.workspace.states.get(session.id)).toBe('/logins/second');
      under.clock.advance(3600);
      under.logins.cool(1, null);
      await under.service.turn(alice(), session.id, { prompt: 'hi' }, new RequestContext('POST'), new AbortController().signal);
      expect(under.acpx.turns[0].session.configDir).toBe('/logins/second');
    });

    it('gives each session its own id', async () => {
      const ids = new Set([(await create()).id, (await create()).id, (await create(bob)).id]);
      expect(ids.size).toBe(3);
    });

    it('takes the agent and model asked for within SESSION_AGENTS and MODEL_ALLOWLIST', async () => {
      expect(await create(alice(), { agent: 'codex', model: 'haiku' })).toMatchObject({ agent: 'codex', model: 'haiku' });
    });

    it.each([
      [{ agent: 'gemini' }, 'agent must be one of claude, codex'],
      [{ model: 'opus' }, 'model "opus" is not allowed here; allowed: sonnet, haiku'],
    ])('refuses %j before making anything, 400: %s', async (body, message) => {
      expect(await outcomeOf(create(alice(), body))).toMatchObject({ status: 400, message });
      expect(under.acpx.created).toEqual([]);
      expect(under.ledger.rows).toEqual([]);
    });

    it('refuses a model the token may not use, and a token whose budget is spent, before making anything', async () => {
      expect(await outcomeOf(create(alice({ models: ['haiku'] })))).toMatchObject({ code: 'model_not_allowed' });
      under.usage.ledger.spent('alice', 2, under.clock.now());
      expect(await outcomeOf(create(alice({ budgetUsdDay: 2 })))).toMatchObject({ status: 429, code: 'budget_exceeded' });
      expect(under.acpx.created).toEqual([]);
      expect(under.workspace.dirs.size).toBe(0);
    });

    it('leaves nothing of a create acpx refused: no row, no directories, its place free', async () => {
      under.acpx.failCreatesWith(new Error('the agent session could not be created'));
      await expect(create()).rejects.toThrow('could not be created');
      expect(under.ledger.rows).toEqual([]);
      expect(under.workspace.dirs.size + under.workspace.states.size).toBe(0);
      expect(under.acpx.closed).toEqual([]);
      under.acpx.failCreatesWith(null);
      await expect(Promise.all([create(), create()])).resolves.toHaveLength(2);
    });

    it('ends the agent it made and removes its directories when its row cannot be written, and frees its place', async () => {
      under.ledger.failInsertsWith(new Error('SQLITE_FULL: database or disk is full'));
      await expect(create()).rejects.toThrow('SQLITE_FULL');
      expect(under.acpx.closed.map((ref) => ref.name)).toEqual(under.acpx.created.map((ref) => ref.name));
      expect(under.acpx.closed).toHaveLength(1);
      expect(under.workspace.dirs.size + under.workspace.states.size).toBe(0);
      under.ledger.failInsertsWith(null);
      await expect(Promise.all([create(), create()])).resolves.toHaveLength(2);
    });
  });

  describe('the open-session caps', () => {
    it('refuses a token past SESSIONS_MAX_OPEN_PER_TOKEN, 429 naming it, while another token still opens', async () => {
      await create();
      await create();
      const error = await outcomeOf(create());
      expect(error).toBeInstanceOf(TooManySessionsError);
      expect(error).toMatchObject({ status: 429, code: 'too_many_sessions', limit: 'token', headers: { 'Retry-After': '60' } });
      await expect(create(bob)).resolves.toMatchObject({ ownerTokenId: 2 });
    });

    it('refuses everybody past SESSIONS_MAX_OPEN, naming it', async () => {
      await create();
      await create(bob);
      await create(bob);
      expect(await outcomeOf(create())).toMatchObject({ limit: 'global' });
    });

    it('gives a closed session’s place back', async () => {
      const first = await create();
      await create();
      await close(alice(), first.id);
      await expect(create()).resolves.toBeDefined();
    });

    it('counts a token’s creates still in acpx against its own cap', async () => {
      under.acpx.heldCreates.hold();
      const attempts = [alice(), alice(), alice()].map((owner) => outcomeOf(create(owner)));
      await under.acpx.heldCreates.next(2);
      under.acpx.heldCreates.answerAll(() => undefined);
      const outcomes = await Promise.all(attempts);
      expect(outcomes.filter((outcome) => outcome === 'answered')).toHaveLength(2);
      expect(outcomes.filter((outcome) => outcome instanceof TooManySessionsError && outcome.limit === 'token')).toHaveLength(1);
    });

    it('counts creates still in acpx as open, so concurrent ones cannot pass the cap together', async () => {
      under.acpx.heldCreates.hold();
      const attempts = [alice(), bob, alice(), bob, alice()].map((owner) => outcomeOf(create(owner)));
      await under.acpx.heldCreates.next(3);
      await settled();
      expect(under.acpx.heldCreates.waiting).toHaveLength(3);
      under.acpx.heldCreates.answerAll(() => undefined);
      const outcomes = await Promise.all(attempts);
      expect(outcomes.filter((outcome) => outcome === 'answered')).toHaveLength(3);
      expect(outcomes.filter((outcome) => outcome instanceof TooManySessionsError)).toHaveLength(2);
      expect(await under.service.openCount()).toBe(3);
    });
  });

  describe('whose session', () => {
    it('answers another token’s session as unknown to get and close, 404, and leaves it open', async () => {
      const bobs = await create(bob);
      for (const attempt of [under.service.get(alice(), bobs.id), close(alice(), bobs.id)]) {
        const error = await outcomeOf(attempt);
        expect(error).toBeInstanceOf(SessionNotFoundError);
        expect(error).toMatchObject({ status: 404, message: `no session ${bobs.id}` });
      }
      expect(under.ledger.row(bobs.id)?.status).toBe('open');
      expect(under.acpx.closed).toEqual([]);
    });

    it('lists a token’s own sessions, newest first, one row past the limit when more exist', async () => {
      const first = await create();
      const second = await create();
      await create(bob);
      expect((await under.service.list(alice(), 1)).map((session) => session.id)).toEqual([second.id, first.id]);
      expect((await under.service.list(alice(), 1, encodeCursor(second.seq))).map((session) => session.id)).toEqual([first.id]);
    });

    it('lists and closes any token’s session for the admin; an unknown one is 404', async () => {
      const bobs = await create(bob);
      expect((await under.service.listAll(10, [2])).map((session) => session.id)).toEqual([bobs.id]);
      await expect(under.service.closeAny(bobs.id)).resolves.toMatchObject({ status: 'closed' });
      await expect(under.service.closeAny('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(SessionNotFoundError);
    });
  });

  describe('close', () => {
    it('ends the agent, removes its directories, and marks the row closed at that time, keeping it', async () => {
      const session = await create();
      under.clock.advance(30);
      const closed = await close(alice(), session.id);
      expect(closed).toMatchObject({ status: 'closed', closedAt: under.clock.now() });
      expect(under.ledger.row(session.id)).toMatchObject({ status: 'closed', closedAt: under.clock.now() });
      expect(under.acpx.closed.map((ref) => ref.name)).toEqual([session.id]);
      expect(await under.workspace.exists(session)).toBe(false);
    });

    it('answers a second close with the closed session, ending nothing twice', async () => {
      const session = await create();
      await close(alice(), session.id);
      const closedAt = under.ledger.row(session.id)?.closedAt;
      under.clock.advance(30);
      await expect(close(alice(), session.id)).resolves.toMatchObject({ status: 'closed', closedAt });
      expect(under.acpx.closed).toHaveLength(1);
    });

    it('cancels a turn still running before it ends the agent', async () => {
      const session = await create();
      under.acpx.heldTurns.hold();
      const turn = under.service.turn(alice(), session.id, { prompt: 'hi' }, new RequestContext('POST'), new AbortController().signal);
      await under.acpx.heldTurns.next();
      await close(alice(), session.id);
      expect(under.acpx.cancelled.map((ref) => ref.name)).toEqual([session.id]);
      expect(await outcomeOf(turn)).toMatchObject({ code: 'cancelled' });
    });

    it('refuses to close a session another instance holds, 409 session_elsewhere, and leaves it', async () => {
      const elsewhere = await seed({ instanceId: 'instance-there' });
      expect(await outcomeOf(close(alice(), elsewhere.id))).toBeInstanceOf(SessionElsewhereError);
      expect(under.ledger.row(elsewhere.id)?.status).toBe('open');
      expect(under.acpx.closed).toEqual([]);
    });
  });

  describe('sweep', () => {
    let errors: string[];
    beforeEach(() => {
      errors = [];
      jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    it('closes sessions idle for longer than CLAWDFORGE_SESSION_TTL_SECS, and not those used since', async () => {
      const idle = await create();
      const used = await create(bob);
      under.clock.advance(60);
      await under.service.turn(bob, used.id, { prompt: 'hi' }, new RequestContext('POST'), new AbortController().signal);
      under.clock.advance(TTL_SECS - 60);
      expect(await under.service.sweep()).toEqual({ idleClosed: 0, expiredDeleted: 0 });
      under.clock.advance(1);
      expect(await under.service.sweep()).toEqual({ idleClosed: 1, expiredDeleted: 0 });
      expect(under.ledger.row(idle.id)?.status).toBe('closed');
      expect(under.ledger.row(used.id)?.status).toBe('open');
      expect(under.acpx.closed.map((ref) => ref.name)).toEqual([idle.id]);
    });

    it('leaves a session whose turn is still running, however long it runs', async () => {
      const session = await create();
      under.acpx.heldTurns.hold();
      const turn = under.service.turn(alice(), session.id, { prompt: 'hi' }, new RequestContext('POST'), new AbortController().signal);
      await under.acpx.heldTurns.next();
      under.clock.advance(TTL_SECS + 1);
      expect((await under.service.sweep()).idleClosed).toBe(0);
      under.acpx.heldTurns.answerAll(() => acpxTurnResult());
      await turn;
    });

    it('sweeps this instance’s sessions and those from before sessions named one, never another instance’s', async () => {
      const unnamed = await seed({ instanceId: null });
      const elsewhere = await seed({ instanceId: 'instance-there' });
      under.clock.advance(TTL_SECS + 1);
      expect((await under.service.sweep()).idleClosed).toBe(1);
      expect(under.ledger.row(unnamed.id)?.status).toBe('closed');
      expect(under.ledger.row(elsewhere.id)?.status).toBe('open');
    });

    it('closes in the ledger only the open sessions of an instance gone for the idle TTL, without reaching for their agents', async () => {
      under.instances.seen('instance-there');
      const orphan = await seed({ instanceId: 'instance-there' });
      under.clock.advance(TTL_SECS);
      expect((await under.service.sweep()).idleClosed).toBe(0);
      under.clock.advance(1);
      expect((await under.service.sweep()).idleClosed).toBe(1);
      expect(under.ledger.row(orphan.id)).toMatchObject({ status: 'closed', closedAt: under.clock.now() });
      expect(under.acpx.closed).toEqual([]);
    });

    it('deletes the rows of sessions closed longer than CLAWDFORGE_SESSION_HARD_TTL_SECS', async () => {
      const old = await create();
      await close(alice(), old.id);
      under.clock.advance(HARD_TTL_SECS - 10);
      const recent = await create();
      await close(alice(), recent.id);
      under.clock.advance(10);
      expect(await under.service.sweep()).toEqual({ idleClosed: 0, expiredDeleted: 0 });
      under.clock.advance(1);
      expect(await under.service.sweep()).toEqual({ idleClosed: 0, expiredDeleted: 1 });
      expect(under.ledger.rows.map((row) => row.id)).toEqual([recent.id]);
    });

    it('leaves open a session acpx would not close, logs it, and does not count it', async () => {
      const session = await create();
      under.clock.advance(TTL_SECS + 1);
      under.acpx.failClosesWith(new Error('acpx exited 1'));
      expect((await under.service.sweep()).idleClosed).toBe(0);
      expect(under.ledger.row(session.id)?.status).toBe('open');
      expect(errors).toEqual([`idle session ${session.id} not closed: acpx exited 1`]);
    });
  });

  describe('reconcile, at start-up', () => {
    it('makes the roots and clears the busy marks of this instance’s sessions, not another’s', async () => {
      const mine = await seed({ busy: true });
      const unnamed = await seed({ busy: true, instanceId: null });
      const theirs = await seed({ busy: true, instanceId: 'instance-there' });
      await under.service.reconcile();
      expect(under.workspace.rootsMade).toBe(true);
      expect([mine, unnamed, theirs].map((session) => under.ledger.row(session.id)?.busy)).toEqual([false, false, true]);
    });

    it('ends the agent of a closed session whose directories remain, then removes them', async () => {
      const session = await seed({ status: 'closed', closedAt: under.clock.now() });
      await under.workspace.prepare(session, under.logins.all[0].dir);
      const gone = await seed({ status: 'closed', closedAt: under.clock.now() });
      await under.service.reconcile();
      await settled();
      expect(under.acpx.closed.map((ref) => ref.name)).toEqual([session.id]);
      expect(await under.workspace.exists(session)).toBe(false);
      expect(under.acpx.closed.map((ref) => ref.name)).not.toContain(gone.id);
    });

    it('keeps the directories of a closed session whose agent acpx would not end, for the next start to try again', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const session = await seed({ status: 'closed', closedAt: under.clock.now() });
      await under.workspace.prepare(session, under.logins.all[0].dir);
      under.acpx.failClosesWith(new Error('acpx exited 1'));
      await under.service.reconcile();
      await settled();
      expect(await under.workspace.exists(session)).toBe(true);
      expect(warn).toHaveBeenCalledWith(`closed session ${session.id} not reconciled: acpx exited 1`);
    });

    it('removes the Claude state of sessions the ledger no longer has, and keeps the others’', async () => {
      const open = await seed();
      await under.workspace.prepare(open, under.logins.all[0].dir);
      await under.workspace.prepare({ id: 'deleted-session', cwd: under.workspace.dirOf('deleted-session') }, under.logins.all[0].dir);
      await under.service.reconcile();
      expect([...under.workspace.states.keys()]).toEqual([open.id]);
    });
  });
});
