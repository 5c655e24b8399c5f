import type { PublicSurface } from '@clawdforge/core/testing';
import { AgentSession } from '../agent-session.entity';
import type { SessionPatch, SessionRepository } from '../session.repository';

type Ledger = Omit<PublicSurface<SessionRepository>, 'listenTo' | 'afterInsert' | 'afterUpdate' | 'afterRemove' | 'onModuleDestroy'>;

/**
 * The `agent_sessions` ledger kept in memory. Rows are copies, as a database's are: a change the
 * service makes to a session object reaches the ledger only through insert or update. The SQL, the
 * cache of first pages and its change marker are the repository's medium spec's.
 */
export class InMemorySessionRepository implements Ledger {
  readonly rows: AgentSession[] = [];
  private lastSeq = 0;
  private insertError: Error | null = null;

  /** Inserts from now on fail with `error` (a full disk, say); null: they succeed again. */
  failInsertsWith(error: Error | null): this {
    this.insertError = error;
    return this;
  }

  /** The ledger's row of session `id`, as stored. */
  row(id: string): AgentSession | undefined {
    return this.rows.find((row) => row.id === id);
  }

  build(fields: Omit<AgentSession, 'seq'>): AgentSession {
    return Object.assign(new AgentSession(), fields);
  }

  async insert(session: AgentSession): Promise<void> {
    if (this.insertError) throw this.insertError;
    session.seq = ++this.lastSeq;
    this.rows.push(copy(session));
  }

  async update(id: string, patch: SessionPatch): Promise<void> {
    for (const row of this.rows) if (row.id === id) Object.assign(row, patch);
  }

  async findOwned(ownerTokenId: number, id: string): Promise<AgentSession | null> {
    return this.find((row) => row.id === id && row.ownerTokenId === ownerTokenId)[0] ?? null;
  }

  async findById(id: string): Promise<AgentSession | null> {
    return this.find((row) => row.id === id)[0] ?? null;
  }

  async countAllOpen(): Promise<number> {
    return this.find((row) => row.status === 'open').length;
  }

  async countOpen(ownerTokenId: number): Promise<{ all: number; owner: number }> {
    const open = this.find((row) => row.status === 'open');
    return { all: open.length, owner: open.filter((row) => row.ownerTokenId === ownerTokenId).length };
  }

  async page(ownerTokenId: number, limit: number, before?: number): Promise<AgentSession[]> {
    return this.newestFirst((row) => row.ownerTokenId === ownerTokenId && (before === undefined || row.seq < before)).slice(0, limit + 1);
  }

  async listAll(limit: number, ownerTokenIds?: number[]): Promise<AgentSession[]> {
    return this.newestFirst((row) => ownerTokenIds === undefined || ownerTokenIds.includes(row.ownerTokenId)).slice(0, limit);
  }

  async findIdle(instanceId: string, before: Date): Promise<AgentSession[]> {
    return this.find((row) => ofInstance(row, instanceId) && row.status === 'open' && row.lastActivityAt < before);
  }

  async closeAllOf(instanceIds: string[], at: Date): Promise<number> {
    const orphans = this.rows.filter((row) => row.status === 'open' && row.instanceId !== null && instanceIds.includes(row.instanceId));
    for (const row of orphans) Object.assign(row, { status: 'closed', closedAt: at, busy: false });
    return orphans.length;
  }

  async deleteClosedBefore(before: Date): Promise<number> {
    const expired = this.rows.filter((row) => row.status === 'closed' && row.closedAt !== null && row.closedAt < before);
    for (const row of expired) this.rows.splice(this.rows.indexOf(row), 1);
    return expired.length;
  }

  async clearBusy(instanceId: string): Promise<void> {
    for (const row of this.rows) if (ofInstance(row, instanceId)) row.busy = false;
  }

  async findClosed(): Promise<AgentSession[]> {
    return this.find((row) => row.status === 'closed');
  }

  private find(where: (row: AgentSession) => boolean): AgentSession[] {
    return this.rows.filter(where).map(copy);
  }

  private newestFirst(where: (row: AgentSession) => boolean): AgentSession[] {
    return this.find(where).sort((a, b) => b.seq - a.seq);
  }
}

function copy(session: AgentSession): AgentSession {
  return Object.assign(new AgentSession(), session);
}

/** Rows an instance answers for: its own, and those from before sessions named their instance. */
function ofInstance(row: AgentSession, instanceId: string): boolean {
  return row.instanceId === instanceId || row.instanceId === null;
}
