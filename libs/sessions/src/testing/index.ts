// What specs of the sessions' rules build them with: `@clawdforge/sessions/testing`. Never
// imported by the server or the CLI.
import { InstanceIdentity, InstanceRegistry } from '@clawdforge/cluster';
import { configFrom, ManualClock } from '@clawdforge/core/testing';
import { LoginPool } from '@clawdforge/runners';
import { FakeAcpxDriver } from '@clawdforge/runners/testing';
import { newUsagePolicy, UsagePolicyUnderTest } from '@clawdforge/usage/testing';
import type { AgentSession } from '../agent-session.entity';
import { SessionAdmission } from '../session-admission';
import { SessionTurns } from '../session-turns';
import type { SessionWorkspace } from '../session-workspace';
import type { SessionRepository } from '../session.repository';
import { SessionsService } from '../sessions.service';
import { InMemorySessionRepository } from './in-memory-session-repository';
import { InMemorySessionWorkspace } from './in-memory-session-workspace';

export * from './in-memory-session-repository';
export * from './in-memory-session-workspace';

/** The id of the instance the sessions' service under test is. */
export const THIS_INSTANCE = 'instance-here';

/**
 * Which other instances have been gone how long, as the registry of instances on PostgreSQL would
 * answer; nobody is gone until the spec says so.
 */
export class GoneInstances implements Pick<InstanceRegistry, 'goneFor'> {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly clock: ManualClock) {}

  /** `id` was last seen alive now. */
  seen(id: string): this {
    this.lastSeen.set(id, this.clock.now().getTime());
    return this;
  }

  async goneFor(ms: number): Promise<string[]> {
    const now = this.clock.now().getTime();
    return [...this.lastSeen].filter(([, seenAt]) => now - seenAt > ms).map(([id]) => id);
  }
}

export interface SessionsUnderTest {
  service: SessionsService;
  admission: SessionAdmission;
  turns: SessionTurns;
  ledger: InMemorySessionRepository;
  workspace: InMemorySessionWorkspace;
  /** Where the sessions' agents live: creates, turns and closes answer, fail or wait as the spec says. */
  acpx: FakeAcpxDriver;
  usage: UsagePolicyUnderTest;
  logins: LoginPool;
  instances: GoneInstances;
  clock: ManualClock;
}

/**
 * The real SessionsService, with its real admission, turns, policy and logins, over a fake acpx and
 * a ledger and directories kept in memory, configured by `env` as an operator would; it is the
 * instance THIS_INSTANCE.
 */
export function newSessions(env: Record<string, string> = {}): SessionsUnderTest {
  const config = configFrom(env);
  const clock = new ManualClock(Date.parse('2026-12-02T12:00:00Z'));
  const ledger = new InMemorySessionRepository();
  const repository = ledger as unknown as SessionRepository;
  const workspace = new InMemorySessionWorkspace();
  const acpx = new FakeAcpxDriver();
  const usage = newUsagePolicy({ clock });
  const logins = new LoginPool(config, clock);
  const instances = new GoneInstances(clock);
  const admission = new SessionAdmission(config, repository);
  const turns = new SessionTurns(repository, clock, acpx, usage.policy);
  const instance = new InstanceIdentity(THIS_INSTANCE);
  const service = new SessionsService(
    repository,
    admission,
    turns,
    workspace as unknown as SessionWorkspace,
    config,
    clock,
    acpx,
    usage.policy,
    logins,
    instance,
    instances as unknown as InstanceRegistry,
  );
  return { service, admission, turns, ledger, workspace, acpx, usage, logins, instances, clock };
}

let rowsMade = 0;

/** A ledger row as a create leaves one, with `fields` over an open session of token 1 on this instance, made at the clock's start. */
export function sessionRow(fields: Partial<Omit<AgentSession, 'seq'>> = {}): Omit<AgentSession, 'seq'> {
  const id = fields.id ?? `00000000-0000-4000-8000-${String(++rowsMade).padStart(12, '0')}`;
  const at = new Date(Date.parse('2026-12-02T12:00:00Z'));
  return {
    id,
    ownerTokenId: 1,
    agent: 'claude',
    model: 'sonnet',
    systemPrompt: null,
    cwd: `/srv/clawdforge/data/acpx-cwds/${id}`,
    status: 'open',
    busy: false,
    turnCount: 0,
    agentCostUsd: null,
    claudeLogin: null,
    instanceId: THIS_INSTANCE,
    createdAt: at,
    lastActivityAt: at,
    closedAt: null,
    ...fields,
  };
}
