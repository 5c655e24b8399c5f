import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { TokenPrincipal } from '@clawdforge/auth';
import { AppConfig, Clock, decodeCursor, InvalidRequestError, RequestContext, requestLogFields, resolveModel } from '@clawdforge/core';
import { InstanceIdentity, InstanceRegistry } from '@clawdforge/cluster';
import { AcpxDriver, AcpxSessionRef, LoginPool } from '@clawdforge/runners';
import { UsagePolicy } from '@clawdforge/usage';
import { AgentSession } from './agent-session.entity';
import { CreateSessionDto } from './dto/create-session.dto';
import { TurnResponse } from './dto/session.view';
import { DEFAULT_TURN_TIMEOUT_SECS, TurnRequestDto } from './dto/turn-request.dto';
import { SessionAdmission } from './session-admission';
import { SessionTurns, TurnProgress } from './session-turns';
import { SessionWorkspace } from './session-workspace';
import { SessionRepository } from './session.repository';
import { SessionClosedError, SessionElsewhereError, SessionNotFoundError } from './sessions-errors';

export type { TurnProgress } from './session-turns';

/** Idle sessions a sweep closes at once. */
const SWEEP_CLOSE_PARALLEL = 4;

export interface SessionSweep {
  idleClosed: number;
  expiredDeleted: number;
}

/**
 * A token's agent sessions, from create to close: the ledger (SessionRepository) records them,
 * acpx (AcpxDriver) holds the conversations, SessionTurns runs their turns and SessionAdmission
 * keeps the open-session caps.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly ledger: SessionRepository,
    private readonly admission: SessionAdmission,
    private readonly turns: SessionTurns,
    private readonly workspace: SessionWorkspace,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly acpx: AcpxDriver,
    private readonly policy: UsagePolicy,
    private readonly logins: LoginPool,
    private readonly instance: InstanceIdentity,
    private readonly instances: InstanceRegistry,
  ) {}

  async create(owner: TokenPrincipal, body: CreateSessionDto, request: RequestContext): Promise<AgentSession> {
    const audit = request.audit;
    const agent = body.agent ?? this.config.sessions.agents[0];
    if (!this.config.sessions.agents.includes(agent)) {
      throw new InvalidRequestError(`agent must be one of ${this.config.sessions.agents.join(', ')}`, 'agent');
    }
    const model = resolveModel(body.model, this.config);
    audit.model = model;
    const id = randomUUID();
    const now = this.clock.now();
    const session = this.ledger.build({
      id,
      ownerTokenId: owner.id,
      agent,
      model,
      systemPrompt: body.system ?? null,
      cwd: this.workspace.dirOf(id),
      status: 'open',
      busy: false,
      turnCount: 0,
      createdAt: now,
      lastActivityAt: now,
      closedAt: null,
      agentCostUsd: null,
      claudeLogin: null,
      instanceId: this.instance.id,
    });
    await this.policy.admit(owner, { kind: 'turn', model });
    // The least busy login not cooling, for the session's whole life (its agent keeps its conversation there).
    session.claudeLogin = this.logins.leastBusy().label;
    await this.admission.reserve(session);
    audit.sessionId = id;
    let createdInAcpx = false;
    try {
      await this.workspace.prepare(session, this.logins.dirOf(session.claudeLogin));
      await this.acpx.create(this.refOf(session), { firstTurnTimeoutSecs: DEFAULT_TURN_TIMEOUT_SECS, origin: request });
      createdInAcpx = true;
      await this.admission.commit(session);
    } catch (error) {
      // Without a row nothing would ever close this agent: end it now, holding its place until it is gone.
      if (createdInAcpx) {
        await this.acpx
          .close(this.refOf(session), request)
          .catch((closeError: Error) => this.logger.error(requestLogFields(request), `unrecorded session ${id} not closed in acpx: ${closeError.message}`));
      }
      await this.workspace.remove(session);
      throw error;
    } finally {
      this.admission.release(session);
    }
    return session;
  }

  /** With `progress`, `started` is called once the turn is accepted and each agent event arrives as acpx prints it. */
  async turn(owner: TokenPrincipal, id: string, body: TurnRequestDto, request: RequestContext, signal: AbortSignal, progress?: TurnProgress): Promise<TurnResponse> {
    const audit = request.audit;
    const session = await this.find(owner, id);
    audit.sessionId = session.id;
    audit.model = session.model;
    audit.promptChars = body.prompt.length;
    if (session.status === 'closed') throw new SessionClosedError(session.id);
    this.assertHere(session);
    return this.turns.run(owner, session, this.refOf(session), body, request, signal, progress);
  }

  /** Agent messages of the last turn that arrived after it was answered. */
  lateEventsOf(session: AgentSession): Record<string, unknown>[] {
    return this.turns.lateEventsOf(session.id);
  }

  get(owner: TokenPrincipal, id: string): Promise<AgentSession> {
    return this.find(owner, id);
  }

  /**
   * This token's sessions, newest first; `limit + 1` rows so the caller can tell if more exist.
   * A first page is kept until the ledger changes; the rows are shared, not copied.
   */
  async list(owner: TokenPrincipal, limit: number, cursor?: string): Promise<readonly AgentSession[]> {
    return (await this.ledger.page(owner.id, limit, decodeCursor(cursor))) ?? [];
  }

  /** Sessions of the given owners (all owners when none are given), newest first, for the admin CLI. */
  listAll(limit: number, ownerTokenIds?: number[]): Promise<AgentSession[]> {
    return this.ledger.listAll(limit, ownerTokenIds);
  }

  /** Closes any token's session, for the admin CLI. */
  async closeAny(id: string): Promise<AgentSession> {
    const session = await this.ledger.findById(id);
    if (!session) throw new SessionNotFoundError(id);
    return this.closeSession(session);
  }

  /** Soft close: acpx ends the agent, the working directory goes, the row stays until the hard TTL. Idempotent. */
  async close(owner: TokenPrincipal, id: string, request: RequestContext): Promise<AgentSession> {
    const session = await this.find(owner, id);
    request.audit.sessionId = session.id;
    return this.closeSession(session, request);
  }

  /** Open sessions of every token, on every instance. */
  openCount(): Promise<number> {
    return this.ledger.countAllOpen();
  }

  /** A turn is running (a session whose answered turn's acpx is still finishing is not busy: its next turn waits for it). */
  isBusy(session: AgentSession): boolean {
    return this.turns.isBusy(session.id);
  }

  /** Idle sessions are soft-closed; sessions closed longer than the hard TTL leave the ledger. */
  async sweep(): Promise<SessionSweep> {
    const now = this.clock.now().getTime();
    const idle = await this.ledger.findIdle(this.instance.id, new Date(now - this.config.sessions.ttlSecs * 1000));
    let idleClosed = 0;
    // A few at a time: each close waits for acpx (a second or two), and a sweep may find dozens.
    const closable = idle.filter((session) => !this.turns.isTaken(session.id));
    for (let at = 0; at < closable.length; at += SWEEP_CLOSE_PARALLEL) {
      await Promise.all(
        closable.slice(at, at + SWEEP_CLOSE_PARALLEL).map((session) =>
          this.closeSession(session).then(
            () => idleClosed++,
            (error: Error) => this.logger.error(`idle session ${session.id} not closed: ${error.message}`),
          ),
        ),
      );
    }
    const orphaned = await this.closeOrphans();
    const expiredDeleted = await this.ledger.deleteClosedBefore(new Date(now - this.config.sessions.hardTtlSecs * 1000));
    return { idleClosed: idleClosed + orphaned, expiredDeleted };
  }

  /**
   * Open sessions of an instance that has been gone for the idle TTL (several instances on one
   * PostgreSQL): closed in the ledger only, since their processes died with it or are that
   * instance's to end, which it does at its next start (reconcile). Until then they count against
   * the open-session caps of everybody.
   */
  private async closeOrphans(): Promise<number> {
    const gone = await this.instances.goneFor(this.config.sessions.ttlSecs * 1000);
    if (gone.length === 0) return 0;
    const closed = await this.ledger.closeAllOf(gone, this.clock.now());
    if (closed > 0) this.logger.warn(`closed ${closed} sessions of instances gone for ${this.config.sessions.ttlSecs} s`);
    return closed;
  }

  /**
   * For server start-up only: no turn survives a restart, so every busy mark is stale; a session
   * closed in the ledger but whose directories remain may still hold an agent in acpx; and the
   * Claude state of a session the ledger no longer has is debris.
   */
  async reconcile(): Promise<void> {
    await this.workspace.ensureRoots();
    await this.ledger.clearBusy(this.instance.id);
    for (const session of await this.ledger.findClosed()) {
      if (!(await this.workspace.exists(session))) continue;
      void this.acpx
        .close(this.refOf(session))
        .then(() => this.workspace.remove(session))
        .catch((error: Error) => this.logger.warn(`closed session ${session.id} not reconciled: ${error.message}`));
    }
    for (const id of await this.workspace.withState()) {
      if (!(await this.ledger.findById(id))) await this.workspace.remove({ id, cwd: this.workspace.dirOf(id) });
    }
  }

  private async closeSession(session: AgentSession, origin?: RequestContext): Promise<AgentSession> {
    if (session.status === 'closed') return session;
    this.assertHere(session);
    if (this.turns.isBusy(session.id)) await this.acpx.cancel(this.refOf(session), origin);
    await this.acpx.close(this.refOf(session), origin);
    this.turns.forget(session.id);
    await this.workspace.remove(session);
    session.status = 'closed';
    session.closedAt = this.clock.now();
    await this.ledger.update(session.id, { status: 'closed', closedAt: session.closedAt });
    return session;
  }

  /** Another instance's acpx holds this session: this one can neither reach its agent nor end it. */
  private assertHere(session: AgentSession): void {
    if (session.instanceId !== null && session.instanceId !== this.instance.id) throw new SessionElsewhereError(session.id, session.instanceId);
  }

  private refOf(session: AgentSession): AcpxSessionRef {
    return {
      name: session.id,
      agent: session.agent,
      cwd: session.cwd,
      model: session.model,
      system: session.systemPrompt ?? undefined,
      configDir: this.logins.dirOf(session.claudeLogin),
      stateDir: this.workspace.stateDirOf(session.id),
    };
  }

  private async find(owner: TokenPrincipal, id: string): Promise<AgentSession> {
    const session = await this.ledger.findOwned(owner.id, id);
    if (!session) throw new SessionNotFoundError(id);
    return session;
  }
}
