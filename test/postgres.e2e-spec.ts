import * as path from 'node:path';
import { AuditService } from '@clawdforge/audit';
import { InstanceRegistry } from '@clawdforge/cluster';
import { SessionsService } from '@clawdforge/sessions';
import { ManualClock } from '@clawdforge/core/testing';
import { Postgres, startPostgres } from './support/postgres';
import { PNG_1X1 } from './support/sample-files';
import { ADMIN_TOKEN, FAKE_CLI_DIR, makeDataDir, startTestApp, TestApp } from './support/test-app';

/**
 * DATABASE_URL on a throwaway PostgreSQL cluster (Debian's postgresql, initdb + pg_ctl in a temp
 * dir on a free loopback port): the same app, fake CLIs at the process boundary.
 */
describe('state in PostgreSQL (DATABASE_URL)', () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(() => pg?.stop());

  describe('one instance', () => {
    let t: TestApp;
    let token: string;
    const as = (bearer: string) => ({ Authorization: `Bearer ${bearer}` });

    beforeAll(async () => {
      t = await startTestApp({ DATABASE_URL: await pg.freshDatabase(), ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx') });
      token = await t.mintToken('on-postgres');
    });
    afterAll(() => t.close());

    it('mints, refuses a live name twice, lists and revokes tokens', async () => {
      await t.admin('post', '/admin/tokens').send({ name: 'on-postgres' }).expect(409);
      const listed = await t.admin('get', '/admin/tokens').expect(200);
      expect(listed.body.items.map((item: { name: string }) => item.name)).toContain('on-postgres');
      const doomed = await t.mintToken('doomed');
      await t.http().get('/sessions').set(as(doomed)).expect(200);
      await t.admin('delete', '/admin/tokens/doomed').expect(200);
      await t.http().get('/sessions').set(as(doomed)).expect(401);
    });

    it('runs, audits and keeps the usage ledger, and refuses past a budget', async () => {
      const res = await t.http().post('/run').set(as(token)).send({ prompt: 'hello' }).expect(200);
      expect(res.body.result).toBe('You said: hello');
      await t.app.get(AuditService).flush();
      const audit = await t.admin('get', '/admin/audit').query({ route: '/run', limit: '1' }).expect(200);
      expect(audit.body.items[0]).toMatchObject({ token_name: 'on-postgres', status: 200, cost_usd: 0.0042 });
      const usage = await t.http().get('/usage').set(as(token)).expect(200);
      expect(usage.body.today).toMatchObject({ runs: 1 });
      expect(usage.body.today.cost_usd).toBeCloseTo(0.0042, 10);
      const report = await t.admin('get', '/admin/usage').query({ group_by: 'day' }).expect(200);
      expect(report.body.items[0]).toMatchObject({ token: 'on-postgres', runs: 1 });

      const thrifty = await t.mintToken('thrifty');
      await t.admin('patch', '/admin/tokens/thrifty').send({ budget_usd_day: 0.004 }).expect(200);
      await t.http().post('/run').set(as(thrifty)).send({ prompt: 'one' }).expect(200);
      expect((await t.http().post('/run').set(as(thrifty)).send({ prompt: 'two' }).expect(429)).body.error.code).toBe('budget_exceeded');
    });

    it('stores files within the per-token quota in one statement', async () => {
      const upload = () => t.http().post('/files').set(as(token)).attach('file', PNG_1X1, 'dot.png');
      const first = await upload().expect(201);
      expect(first.body).toMatchObject({ media_type: 'image/png', size: PNG_1X1.length });
      const listed = await t.http().get('/files').set(as(token)).expect(200);
      expect(listed.body.items).toHaveLength(1);
    });

    it('keeps the session ledger: create, turn, read, close', async () => {
      const id = (await t.http().post('/sessions').set(as(token)).send({}).expect(201)).body.session_id;
      const turn = await t.http().post(`/sessions/${id}/turn`).set(as(token)).send({ prompt: JSON.stringify({ jsonrpc: '2.0', id: 3, result: { stopReason: 'end_turn' } }) });
      expect(turn.status).toBe(200);
      expect((await t.http().get(`/sessions/${id}`).set(as(token)).expect(200)).body).toMatchObject({ turn_count: 1, busy: false, status: 'open' });
      await t.http().delete(`/sessions/${id}`).set(as(token)).expect(200);
    });
  });

  describe('two instances on one database', () => {
    it('start together (migrations one after the other), and a token minted on one works on the other', async () => {
      const url = await pg.freshDatabase();
      const [a, b] = await Promise.all([startTestApp({ DATABASE_URL: url }, { dataDir: makeDataDir() }), startTestApp({ DATABASE_URL: url }, { dataDir: makeDataDir() })]);
      try {
        const token = await a.mintToken('shared');
        await b.http().post('/run').set('Authorization', `Bearer ${token}`).send({ prompt: 'across' }).expect(200);
        await b.admin('delete', '/admin/tokens/shared').expect(200);
        await a.http().get('/sessions').set('Authorization', `Bearer ${token}`).expect(401);
        await Promise.all([a.app.get(AuditService).flush(), b.app.get(AuditService).flush()]);
        // One audit log: each instance reads the other's rows.
        const shared = await a.http().get('/admin/audit').set('Authorization', `Bearer ${ADMIN_TOKEN}`).query({ token: 'shared' }).expect(200);
        expect(shared.body.items).toEqual([expect.objectContaining({ route: '/run', status: 200 })]);
        const refused = await b.http().get('/admin/audit').set('Authorization', `Bearer ${ADMIN_TOKEN}`).query({ route: '/sessions' }).expect(200);
        expect(refused.body.items).toEqual([expect.objectContaining({ status: 401, error_code: 'invalid_token' })]);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('keeps a session on the instance whose acpx holds it: the other refuses its turns and its close, and never sweeps it', async () => {
      const url = await pg.freshDatabase();
      const acpx = { DATABASE_URL: url, ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx') };
      const clock = new ManualClock();
      const a = await startTestApp(acpx, { dataDir: makeDataDir() });
      const b = await startTestApp(acpx, { dataDir: makeDataDir(), clock });
      try {
        const token = await a.mintToken('sessions');
        const as = { Authorization: `Bearer ${token}` };
        const end = JSON.stringify({ jsonrpc: '2.0', id: 3, result: { stopReason: 'end_turn' } });
        const id = (await a.http().post('/sessions').set(as).send({}).expect(201)).body.session_id;
        expect((await b.http().get(`/sessions/${id}`).set(as).expect(200)).body.status).toBe('open');
        const elsewhere = await b.http().post(`/sessions/${id}/turn`).set(as).send({ prompt: end }).expect(409);
        expect(elsewhere.body.error.code).toBe('session_elsewhere');
        expect((await b.http().delete(`/sessions/${id}`).set(as).expect(409)).body.error.code).toBe('session_elsewhere');
        clock.advance(2 * 86400);
        expect((await b.app.get(SessionsService).sweep()).idleClosed).toBe(0);
        await a.http().post(`/sessions/${id}/turn`).set(as).send({ prompt: end }).expect(200);
        await a.http().delete(`/sessions/${id}`).set(as).expect(200);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('closes, in the ledger only, the open sessions of an instance gone longer than the idle TTL', async () => {
      const url = await pg.freshDatabase();
      const acpx = { DATABASE_URL: url, ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx') };
      const a = await startTestApp(acpx, { dataDir: makeDataDir() });
      const b = await startTestApp({ ...acpx, CLAWDFORGE_SESSION_TTL_SECS: '1' }, { dataDir: makeDataDir() });
      try {
        await a.app.get(InstanceRegistry).announce(1);
        const token = await a.mintToken('orphans');
        const as = { Authorization: `Bearer ${token}` };
        const id = (await a.http().post('/sessions').set(as).send({}).expect(201)).body.session_id;
        // Alive: its sessions are its own, however idle.
        expect((await b.app.get(SessionsService).sweep()).idleClosed).toBe(0);
        await a.close();
        await new Promise((resolve) => setTimeout(resolve, 1200));
        expect((await b.app.get(SessionsService).sweep()).idleClosed).toBe(1);
        expect((await b.http().get(`/sessions/${id}`).set(as).expect(200)).body).toMatchObject({ status: 'closed', busy: false });
      } finally {
        await b.close();
      }
    });
  });
});
