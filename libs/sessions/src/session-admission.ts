import { Injectable } from '@nestjs/common';
import { AppConfig } from '@clawdforge/core';
import type { AgentSession } from './agent-session.entity';
import { SessionRepository } from './session.repository';
import { TooManySessionsError } from './sessions-errors';

/**
 * The open-session caps (SESSIONS_MAX_OPEN, SESSIONS_MAX_OPEN_PER_TOKEN). A session being created
 * (acpx may take up to a minute) counts as open before the ledger shows it, so concurrent creates
 * cannot all pass a cap; counting the ledger and moving a session from `creating` into it never
 * interleave.
 */
@Injectable()
export class SessionAdmission {
  private readonly creating = new Set<AgentSession>();
  /** Tail of the admission chain. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly ledger: SessionRepository,
  ) {}

  /** Takes a place for `session` under both caps, or refuses naming the one that is full. */
  reserve(session: AgentSession): Promise<void> {
    return this.serially(async () => {
      const open = await this.ledger.countOpen(session.ownerTokenId);
      const ownCreating = [...this.creating].filter((other) => other.ownerTokenId === session.ownerTokenId).length;
      if (open.owner + ownCreating >= this.config.sessions.maxOpenPerToken) throw new TooManySessionsError('token', this.config.sessions.maxOpenPerToken);
      if (open.all + this.creating.size >= this.config.sessions.maxOpen) throw new TooManySessionsError('global', this.config.sessions.maxOpen);
      this.creating.add(session);
    });
  }

  /** The session's agent is up: its row goes into the ledger in place of its reservation. */
  commit(session: AgentSession): Promise<void> {
    return this.serially(async () => {
      await this.ledger.insert(session);
      this.creating.delete(session);
    });
  }

  /** Gives a reserved place back (the session was not created). */
  release(session: AgentSession): void {
    this.creating.delete(session);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const done = this.chain.then(work);
    this.chain = done.catch(() => undefined);
    return done;
  }
}
