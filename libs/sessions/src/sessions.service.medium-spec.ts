import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Test, TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ClusterModule } from '@clawdforge/cluster';
import { AppConfig, AppConfigModule, DatabaseModule, loadConfig, RequestContext } from '@clawdforge/core';
import { NO_POLICY } from '@clawdforge/auth';
import { AcpxDriver, AcpxSessionRef } from '@clawdforge/runners';
import { AgentSession } from './agent-session.entity';
import { TooManySessionsError } from './sessions-errors';
import { SessionsModule } from './sessions.module';
import { SessionsService } from './sessions.service';

/** Stands in for acpx: each create waits until the test lets it finish. */
class FakeAcpx {
  readonly closed: AcpxSessionRef[] = [];
  private readonly pending: { ref: AcpxSessionRef; finish: (error?: Error) => void }[] = [];

  create = jest.fn(
    (ref: AcpxSessionRef) => new Promise<void>((resolve, reject) => this.pending.push({ ref, finish: (error) => (error ? reject(error) : resolve()) })),
  );
  close = jest.fn(async (ref: AcpxSessionRef) => void this.closed.push(ref));

  get creating(): number {
    return this.pending.length;
  }

  finishAll(error?: Error): void {
    for (const { finish } of this.pending.splice(0)) finish(error);
  }
}

const alice = { id: 1, name: 'alice', policy: NO_POLICY };
const bob = { id: 2, name: 'bob', policy: NO_POLICY };
async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SessionsService.create (real SQLite ledger, fake acpx)', () => {
  let moduleRef: TestingModule;
  let service: SessionsService;
  let ledger: Repository<AgentSession>;
  let acpx: FakeAcpx;
  let dataDir: string;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-sessions-'));
    const config = loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'x'.repeat(24), DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSIONS_MAX_OPEN: '2', SESSIONS_MAX_OPEN_PER_TOKEN: '2' });
    acpx = new FakeAcpx();
    moduleRef = await Test.createTestingModule({ imports: [AppConfigModule.forRoot(), DatabaseModule, ClusterModule, SessionsModule] })
      .overrideProvider(AppConfig)
      .useValue(config)
      .overrideProvider(AcpxDriver)
      .useValue(acpx)
      .compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    service = moduleRef.get(SessionsService);
    ledger = moduleRef.get(getRepositoryToken(AgentSession));
  });
  afterEach(async () => {
    await moduleRef.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts creates still in acpx as open, so concurrent ones cannot pass the cap together', async () => {
    let settled = 0;
    const attempts = [alice, bob, alice, bob, alice].map((owner) =>
      service.create(owner, { agent: 'claude' }, new RequestContext()).then(
        (session) => session,
        (error: Error) => error,
      ).finally(() => settled++),
    );
    // Three refused at once; the two admitted make their directories, then wait in acpx.
    await until(() => settled === 3 && acpx.creating === 2);
    expect(settled).toBe(3);
    acpx.finishAll();
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((outcome) => outcome instanceof AgentSession)).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome instanceof TooManySessionsError && outcome.limit === 'global')).toHaveLength(3);
    expect(await ledger.count({ where: { status: 'open' } })).toBe(2);
  });

  it('ends the agent and removes its directory when the ledger insert fails, and frees the place', async () => {
    jest.spyOn(ledger, 'insert').mockRejectedValueOnce(new Error('SQLITE_FULL: database or disk is full'));
    const request = new RequestContext('POST');
    const failing = service.create(alice, { agent: 'claude' }, request);
    await until(() => acpx.creating === 1);
    const [ref] = acpx.create.mock.calls[0];
    expect(fs.existsSync(ref.cwd)).toBe(true);
    acpx.finishAll();

    await expect(failing).rejects.toThrow('SQLITE_FULL');
    expect(acpx.close).toHaveBeenCalledWith(ref, request);
    expect(fs.existsSync(ref.cwd)).toBe(false);
    expect(await ledger.count()).toBe(0);

    const next = service.create(alice, { agent: 'claude' }, new RequestContext());
    const other = service.create(alice, { agent: 'claude' }, new RequestContext());
    await until(() => acpx.creating === 2);
    acpx.finishAll();
    await expect(Promise.all([next, other])).resolves.toHaveLength(2);
  });

  it('frees the place of a create acpx refused, without closing anything', async () => {
    const request = new RequestContext('POST');
    const failing = service.create(alice, { agent: 'claude' }, request);
    await until(() => acpx.creating === 1);
    acpx.finishAll(new Error('the agent session could not be created'));
    await expect(failing).rejects.toThrow('could not be created');
    expect(acpx.close).not.toHaveBeenCalled();

    const both = Promise.all([service.create(alice, { agent: 'claude' }, new RequestContext()), service.create(bob, { agent: 'claude' }, new RequestContext())]);
    await until(() => acpx.creating === 2);
    acpx.finishAll();
    await expect(both).resolves.toHaveLength(2);
  });
});
