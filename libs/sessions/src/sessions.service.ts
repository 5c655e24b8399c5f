import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntitySubscriberInterface, FindOptionsWhere, In, IsNull, LessThan, Repository } from 'typeorm';
import type { TokenPrincipal } from '@clawdforge/auth';
import { ApiError, AppConfig, ChangeMarker, Clock, decodeCursor, HotStatements, MarkedCache, InstanceIdentity, InstanceRegistry, InvalidRequestError, RequestContext, requestLogFields, resolveModel } from '@clawdforge/core';
import { AcpxDriver, AcpxSessionRef, LoginPool } from '@clawdforge/runners';
import { UsageFact, UsagePolicy } from '@clawdforge/usage';
import { AgentSession } from './agent-session.entity';
import { CreateSessionDto } from './dto/create-session.dto';
import { DEFAULT_TURN_TIMEOUT_SECS, TurnRequestDto } from './dto/turn-request.dto';
import { TurnResponse } from './dto/session.view';
import { SessionBusyError, SessionClosedError, SessionElsewhereError, SessionNotFoundError, TooManySessionsError } from './sessions-errors';

/** How long a turn waits for the previous turn's acpx to finish before it answers 409 session_busy. */
const DRAIN_WAIT_MS = 10_000;
/** Idle sessions a sweep closes at once. */
const SWEEP_CLOSE_PARALLEL = 4;

/** First pages kept (one per token and page size in use); past it the cache starts afresh. */
const MAX_CACHED_PAGES = 10_000;

export interface TurnProgress {
  started(): void;
  event(event: Record<string, unknown>): void;
}

export interface SessionSweep {
  idleClosed: number;
  expiredDeleted: number;
}

/** The per-token ledger of agent sessions; acpx (through AcpxDriver) holds the conversations. */
@Injectable()
export class SessionsService implements EntitySubscriberInterface<AgentSession>, OnModuleDestroy {
  private readonly logger = new Logger(SessionsService.name);
  /** Sessions with a turn running in this process: the authority on busy, the column its mirror. */
  private readonly turning = new Set<string>();
  /** Sessions whose last turn was answered while acpx finishes (about a second): the next turn waits for it. */
  private readonly draining = new Map<string, Promise<void>>();
  /** Agent messages that arrived during a drain, kept for GET /sessions/:id and handed to the next turn. */
  private readonly lateEvents = new Map<string, Record<string, unknown>[]>();
  /**
   * Sessions being created (acpx may take up to a minute) and not yet in the ledger: they count
   * as open, so concurrent creates cannot all pass the cap while the ledger does not show them.
   */
  private readonly creating = new Set<AgentSession>();
  private readonly ledgerMarker: ChangeMarker | null = null;
  private readonly firstPages: MarkedCache<AgentSession[]> | null = null;
  /** Tail of the admission chain: counting the ledger and moving a session from `creating` into it never interleave. */
  private admission: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectRepository(AgentSession) private readonly sessions: Repository<AgentSession>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly acpx: AcpxDriver,
    private readonly policy: UsagePolicy,
    private readonly logins: LoginPool,
    private readonly instance: InstanceIdentity,
    private readonly instances: InstanceRegistry,
    private readonly hot: HotStatements,
  ) {
    // Only with SQLite, like the token cache: on PostgreSQL other instances write the ledger too.
    if (config.databaseUrl === null) {
      this.ledgerMarker = new ChangeMarker(path.join(path.dirname(config.databasePath), '.sessions-changed'));
      this.firstPages = new MarkedCache(this.ledgerMarker, MAX_CACHED_PAGES);
      sessions.manager.connection.subscribers.push(this);
    }
  }

  /** Any write to the ledger through TypeORM, in this process (the server, or the admin CLI), drops the cached pages everywhere. */
  listenTo(): typeof AgentSession {
    return AgentSession;
  }

  afterInsert(): void {
    this.firstPages?.changed();
  }

  afterUpdate(): void {
    this.firstPages?.changed();
  }

  afterRemove(): void {
    this.firstPages?.changed();
  }

  onModuleDestroy(): void {
    this.ledgerMarker?.close();
  }

  async create(owner: TokenPrincipal, body: CreateSessionDto, request: RequestContext): Promise<AgentSession> {
    const audit = request.audit;
    const agent = body.agent ?? this.config.sessionAgents[0];
    if (!this.config.sessionAgents.includes(agent)) {
      throw new InvalidRequestError(`agent must be one of ${this.config.sessionAgents.join(', ')}`, 'agent');
    }
    const model = resolveModel(body.model, this.config);
    audit.model = model;
    const id = randomUUID();
    const now = this.clock.now();
    const session = this.sessions.create({
      id,
      ownerTokenId: owner.id,
      agent,
      model,
      systemPrompt: body.system ?? null,
      cwd: path.join(this.config.acpxSessionsCwd, id),
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
    await this.serially(() => this.reserve(session));
    audit.sessionId = id;
    let createdInAcpx = false;
    try {
      await fs.mkdir(session.cwd, { recursive: true, mode: 0o700 });
      await this.acpx.create(this.refOf(session), { firstTurnTimeoutSecs: DEFAULT_TURN_TIMEOUT_SECS, origin: request });
      createdInAcpx = true;
      await this.serially(async () => {
        await this.sessions.insert(session);
        this.creating.delete(session);
      });
    } catch (error) {
      // Without a row nothing would ever close this agent: end it now, holding its place until it is gone.
      if (createdInAcpx) {
        await this.acpx
          .close(this.refOf(session), request)
          .catch((closeError: Error) => this.logger.error(requestLogFields(request), `unrecorded session ${id} not closed in acpx: ${closeError.message}`));
      }
      await fs.rm(session.cwd, { recursive: true, force: true });
      throw error;
    } finally {
      this.creating.delete(session);
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
    await this.afterDrain(session.id);
    if (this.turning.has(session.id)) throw new SessionBusyError(session.id);
    await this.policy.admit(owner, { kind: 'turn', model: session.model });
    await this.afterDrain(session.id);
    if (this.turning.has(session.id)) throw new SessionBusyError(session.id);
    this.turning.add(session.id);
    let drained: Promise<Record<string, unknown>[]> | undefined;
    const turnIndex = session.turnCount + 1;
    audit.turnIndex = turnIndex;
    try {
      await this.sessions.update({ id: session.id }, { busy: true, lastActivityAt: this.clock.now() });
      progress?.started();
      const result = await this.acpx.prompt(this.refOf(session), body.prompt, {
        timeoutSecs: body.timeout_secs ?? DEFAULT_TURN_TIMEOUT_SECS,
        signal,
        onEvent: progress && ((event) => progress.event(event)),
        origin: request,
      });
      drained = result.drained;
      audit.responseChars = result.text.length;
      audit.inputTokens = result.usage.inputTokens;
      audit.outputTokens = result.usage.outputTokens;
      audit.toolsRefused = result.toolsRefused;
      const costUsd = turnCost(session.agentCostUsd, result.agentCostUsd);
      audit.costUsd = costUsd;
      await this.sessions.update({ id: session.id }, { turnCount: turnIndex, agentCostUsd: result.agentCostUsd ?? session.agentCostUsd });
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
      await this.policy.settle(owner, turnFailure(session.model, error));
      throw error;
    } finally {
      if (drained) this.drain(session.id, drained, request);
      else await this.endTurn(session.id);
    }
  }

  /** Agent messages of the last turn that arrived after it was answered. */
  lateEventsOf(session: AgentSession): Record<string, unknown>[] {
    return this.lateEvents.get(session.id) ?? [];
  }

  private async endTurn(id: string): Promise<void> {
    this.turning.delete(id);
    await this.sessions.update({ id }, { busy: false, lastActivityAt: this.clock.now() });
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

  /** Waits, a bounded time, for the previous turn's acpx to finish; past the bound the session counts as busy. */
  private async afterDrain(id: string): Promise<void> {
    const pending = this.draining.get(id);
    if (!pending) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_WAIT_MS)));
    await Promise.race([pending, bound]);
    clearTimeout(timer);
  }

  private takeLateEvents(id: string): Record<string, unknown>[] {
    const events = this.lateEvents.get(id) ?? [];
    this.lateEvents.delete(id);
    return events;
  }

  async get(owner: TokenPrincipal, id: string): Promise<AgentSession> {
    return this.find(owner, id);
  }

  /**
   * This token's sessions, newest first; `limit + 1` rows so the caller can tell if more exist.
   * A first page is kept until the ledger changes (apps poll it); the rows are shared, not copied.
   */
  async list(owner: TokenPrincipal, limit: number, cursor?: string): Promise<readonly AgentSession[]> {
    const before = decodeCursor(cursor);
    if (before !== undefined) return this.hot.select(AgentSession, 'WHERE owner_token_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?', [owner.id, before, limit + 1]);
    const load = () => this.hot.select(AgentSession, 'WHERE owner_token_id = ? ORDER BY seq DESC LIMIT ?', [owner.id, limit + 1]);
    return (await this.firstPages?.lookup(`${owner.id}:${limit}`, load)) ?? load();
  }

  /** Sessions of the given owners (all owners when none are given), newest first, for the admin CLI. */
  listAll(limit: number, ownerTokenIds?: number[]): Promise<AgentSession[]> {
    const query = this.sessions.createQueryBuilder('s').orderBy('s.seq', 'DESC').take(limit);
    if (ownerTokenIds !== undefined) query.where('s.owner_token_id IN (:...owners)', { owners: ownerTokenIds.length > 0 ? ownerTokenIds : [-1] });
    return query.getMany();
  }

  /** Closes any token's session, for the admin CLI. */
  async closeAny(id: string): Promise<AgentSession> {
    const session = await this.sessions.findOne({ where: { id } });
    if (!session) throw new SessionNotFoundError(id);
    return this.closeSession(session);
  }

  /** Soft close: acpx ends the agent, the working directory goes, the row stays until the hard TTL. Idempotent. */
  async close(owner: TokenPrincipal, id: string, request: RequestContext): Promise<AgentSession> {
    const session = await this.find(owner, id);
    request.audit.sessionId = session.id;
    return this.closeSession(session, request);
  }

  /** A turn is running (a session whose answered turn's acpx is still finishing is not busy: its next turn waits for it). */
  isBusy(session: AgentSession): boolean {
    return this.turning.has(session.id) && !this.draining.has(session.id);
  }

  /** Idle sessions are soft-closed; sessions closed longer than the hard TTL leave the ledger. */
  async sweep(): Promise<SessionSweep> {
    const now = this.clock.now().getTime();
    const idle = await this.sessions.find({
      where: this.mine({ status: 'open', lastActivityAt: LessThan(new Date(now - this.config.sessionTtlSecs * 1000)) }),
    });
    let idleClosed = 0;
    // A few at a time: each close waits for acpx (a second or two), and a sweep may find dozens.
    const closable = idle.filter((session) => !this.turning.has(session.id));
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
    // find() runs the timestamp transformer on its operators; delete() would compare raw values.
    const expired = await this.sessions.find({
      select: { seq: true },
      where: { status: 'closed', closedAt: LessThan(new Date(now - this.config.sessionHardTtlSecs * 1000)) },
    });
    if (expired.length > 0) await this.sessions.delete({ seq: In(expired.map((session) => session.seq)) });
    return { idleClosed: idleClosed + orphaned, expiredDeleted: expired.length };
  }

  /**
   * Open sessions of an instance that has been gone for the idle TTL (several instances on one
   * PostgreSQL): closed in the ledger only, since their processes died with it or are that
   * instance's to end, which it does at its next start (reconcile). Until then they count against
   * the open-session caps of everybody.
   */
  private async closeOrphans(): Promise<number> {
    const gone = await this.instances.goneFor(this.config.sessionTtlSecs * 1000);
    if (gone.length === 0) return 0;
    const orphans = await this.sessions.find({ select: { seq: true }, where: { status: 'open', instanceId: In(gone) } });
    if (orphans.length === 0) return 0;
    await this.sessions.update({ seq: In(orphans.map((session) => session.seq)) }, { status: 'closed', closedAt: this.clock.now(), busy: false });
    this.logger.warn(`closed ${orphans.length} sessions of instances gone for ${this.config.sessionTtlSecs} s`);
    return orphans.length;
  }

  /**
   * For server start-up only: no turn survives a restart, so every busy mark is stale; and a
   * session closed in the ledger but whose directory remains may still hold an agent in acpx.
   */
  async reconcile(): Promise<void> {
    await fs.mkdir(this.config.acpxSessionsCwd, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.config.acpxHome, { recursive: true, mode: 0o700 });
    for (const where of this.mine({ busy: true })) await this.sessions.update(where, { busy: false });
    const closed = await this.sessions.find({ where: { status: 'closed' } });
    for (const session of closed) {
      if (!(await exists(session.cwd))) continue;
      void this.acpx
        .close(this.refOf(session))
        .then(() => fs.rm(session.cwd, { recursive: true, force: true }))
        .catch((error: Error) => this.logger.warn(`closed session ${session.id} not reconciled: ${error.message}`));
    }
  }

  /** Takes a place for `session` under both caps, or refuses naming the one that is full. */
  private async reserve(session: AgentSession): Promise<void> {
    const [open, ownOpen] = await Promise.all([
      this.sessions.count({ where: { status: 'open' } }),
      this.sessions.count({ where: { status: 'open', ownerTokenId: session.ownerTokenId } }),
    ]);
    const ownCreating = [...this.creating].filter((other) => other.ownerTokenId === session.ownerTokenId).length;
    if (ownOpen + ownCreating >= this.config.sessionsMaxOpenPerToken) throw new TooManySessionsError('token', this.config.sessionsMaxOpenPerToken);
    if (open + this.creating.size >= this.config.sessionsMaxOpen) throw new TooManySessionsError('global', this.config.sessionsMaxOpen);
    this.creating.add(session);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const done = this.admission.then(work);
    this.admission = done.catch(() => undefined);
    return done;
  }

  private async closeSession(session: AgentSession, origin?: RequestContext): Promise<AgentSession> {
    if (session.status === 'closed') return session;
    this.assertHere(session);
    if (this.isBusy(session)) await this.acpx.cancel(this.refOf(session), origin);
    await this.acpx.close(this.refOf(session), origin);
    this.lateEvents.delete(session.id);
    await fs.rm(session.cwd, { recursive: true, force: true });
    session.status = 'closed';
    session.closedAt = this.clock.now();
    await this.sessions.update({ id: session.id }, { status: 'closed', closedAt: session.closedAt });
    return session;
  }

  /** Another instance's acpx holds this session: this one can neither reach its agent nor end it. */
  private assertHere(session: AgentSession): void {
    if (session.instanceId !== null && session.instanceId !== this.instance.id) throw new SessionElsewhereError(session.id, session.instanceId);
  }

  /** Rows this instance answers for: its own sessions, and those from before sessions named their instance. */
  private mine(where: FindOptionsWhere<AgentSession>): FindOptionsWhere<AgentSession>[] {
    return [
      { ...where, instanceId: this.instance.id },
      { ...where, instanceId: IsNull() },
    ];
  }

  private refOf(session: AgentSession): AcpxSessionRef {
    return {
      name: session.id,
      agent: session.agent,
      cwd: session.cwd,
      model: session.model,
      system: session.systemPrompt ?? undefined,
      configDir: this.logins.dirOf(session.claudeLogin),
    };
  }

  private async find(owner: TokenPrincipal, id: string): Promise<AgentSession> {
    const session = await this.sessions.findOne({ where: { id, ownerTokenId: owner.id } });
    if (!session) throw new SessionNotFoundError(id);
    return session;
  }
}

async function exists(dir: string): Promise<boolean> {
  return fs.stat(dir).then(
    () => true,
    () => false,
  );
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

/** A turn that failed used what the agent did not report: it is recorded with its error and no cost. */
function turnFailure(model: string, error: unknown): UsageFact {
  return {
    kind: 'turn',
    model,
    outcome: error instanceof ApiError ? error.code : 'internal_error',
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheCreationTokens: null,
    costUsd: null,
  };
}
