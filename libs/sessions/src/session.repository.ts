import * as path from 'node:path';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntitySubscriberInterface, FindOptionsWhere, In, IsNull, LessThan, Repository } from 'typeorm';
import { AppConfig, ChangeMarker, HotStatements, MarkedCache } from '@clawdforge/core';
import { AgentSession } from './agent-session.entity';

/** First pages kept (one per token and page size in use); past it the cache starts afresh. */
const MAX_CACHED_PAGES = 10_000;

/** The changes a turn or a close makes to a ledger row. */
export type SessionPatch = Partial<Pick<AgentSession, 'busy' | 'lastActivityAt' | 'turnCount' | 'agentCostUsd' | 'status' | 'closedAt'>>;

/**
 * The ledger of agent sessions in the database, and nothing else: every read and write of
 * `agent_sessions` goes through here. A token's first page is kept until the ledger changes (apps
 * poll it); with SQLite only, since on PostgreSQL other instances write the ledger too.
 */
@Injectable()
export class SessionRepository implements EntitySubscriberInterface<AgentSession>, OnModuleDestroy {
  private readonly ledgerMarker: ChangeMarker | null = null;
  private readonly firstPages: MarkedCache<AgentSession[]> | null = null;

  constructor(
    @InjectRepository(AgentSession) private readonly rows: Repository<AgentSession>,
    private readonly hot: HotStatements,
    config: AppConfig,
  ) {
    if (config.database.url === null) {
      this.ledgerMarker = new ChangeMarker(path.join(path.dirname(config.database.path), '.sessions-changed'));
      this.firstPages = new MarkedCache(this.ledgerMarker, MAX_CACHED_PAGES);
      rows.manager.connection.subscribers.push(this);
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

  /** A new row, not yet saved. */
  build(fields: Omit<AgentSession, 'seq'>): AgentSession {
    return this.rows.create(fields);
  }

  async insert(session: AgentSession): Promise<void> {
    await this.rows.insert(session);
  }

  async update(id: string, patch: SessionPatch): Promise<void> {
    await this.rows.update({ id }, patch);
  }

  /** The session `id` if `ownerTokenId` owns it. */
  findOwned(ownerTokenId: number, id: string): Promise<AgentSession | null> {
    return this.rows.findOne({ where: { id, ownerTokenId } });
  }

  findById(id: string): Promise<AgentSession | null> {
    return this.rows.findOne({ where: { id } });
  }

  countAllOpen(): Promise<number> {
    return this.rows.count({ where: { status: 'open' } });
  }

  /** Open sessions of everybody, and of one owner. */
  async countOpen(ownerTokenId: number): Promise<{ all: number; owner: number }> {
    const [all, owner] = await Promise.all([this.rows.count({ where: { status: 'open' } }), this.rows.count({ where: { status: 'open', ownerTokenId } })]);
    return { all, owner };
  }

  /** `limit + 1` rows of an owner, newest first, from before the cursor's `seq` (the first page when none). */
  page(ownerTokenId: number, limit: number, before?: number): AgentSession[] | Promise<AgentSession[] | null> {
    if (before !== undefined) return this.hot.select(AgentSession, 'WHERE owner_token_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?', [ownerTokenId, before, limit + 1]);
    const load = () => this.hot.select(AgentSession, 'WHERE owner_token_id = ? ORDER BY seq DESC LIMIT ?', [ownerTokenId, limit + 1]);
    return this.firstPages?.lookup(`${ownerTokenId}:${limit}`, load) ?? load();
  }

  /** Sessions of the given owners (all owners when none are given), newest first. */
  listAll(limit: number, ownerTokenIds?: number[]): Promise<AgentSession[]> {
    const query = this.rows.createQueryBuilder('s').orderBy('s.seq', 'DESC').take(limit);
    if (ownerTokenIds !== undefined) query.where('s.owner_token_id IN (:...owners)', { owners: ownerTokenIds.length > 0 ? ownerTokenIds : [-1] });
    return query.getMany();
  }

  /** Open sessions of this instance (or of no instance) idle since before `before`. */
  findIdle(instanceId: string, before: Date): Promise<AgentSession[]> {
    return this.rows.find({ where: ofInstance(instanceId, { status: 'open', lastActivityAt: LessThan(before) }) });
  }

  /** Closes, in the ledger only, the open sessions of the given instances; how many there were. */
  async closeAllOf(instanceIds: string[], at: Date): Promise<number> {
    const orphans = await this.rows.find({ select: { seq: true }, where: { status: 'open', instanceId: In(instanceIds) } });
    if (orphans.length === 0) return 0;
    await this.rows.update({ seq: In(orphans.map((session) => session.seq)) }, { status: 'closed', closedAt: at, busy: false });
    return orphans.length;
  }

  /** Deletes the rows of sessions closed before `before`; how many. */
  async deleteClosedBefore(before: Date): Promise<number> {
    // find() runs the timestamp transformer on its operators; delete() would compare raw values.
    const expired = await this.rows.find({ select: { seq: true }, where: { status: 'closed', closedAt: LessThan(before) } });
    if (expired.length > 0) await this.rows.delete({ seq: In(expired.map((session) => session.seq)) });
    return expired.length;
  }

  /** No turn survives a restart: clears every busy mark of this instance's sessions. */
  async clearBusy(instanceId: string): Promise<void> {
    for (const where of ofInstance(instanceId, { busy: true })) await this.rows.update(where, { busy: false });
  }

  findClosed(): Promise<AgentSession[]> {
    return this.rows.find({ where: { status: 'closed' } });
  }
}

/** Rows an instance answers for: its own sessions, and those from before sessions named their instance. */
function ofInstance(instanceId: string, where: FindOptionsWhere<AgentSession>): FindOptionsWhere<AgentSession>[] {
  return [
    { ...where, instanceId },
    { ...where, instanceId: IsNull() },
  ];
}
