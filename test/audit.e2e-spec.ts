import { AuditService } from '@clawdforge/audit';
import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';
import { ProbeController } from './support/probe.controller';

interface Row {
  id: number;
  at: string;
  token_name: string | null;
  method: string;
  route: string;
  status: number;
  error_code: string | null;
  duration_ms: number;
  request_id: string | null;
}

describe('audit trail', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({}, { controllers: [ProbeController] });
    token = await t.mintToken('cauldron');
  });
  afterAll(() => t.close());

  async function rows(query: Record<string, string> = {}): Promise<Row[]> {
    await t.app.get(AuditService).flush();
    const res = await t.admin('get', '/admin/audit').query(query).expect(200);
    return res.body.items as Row[];
  }

  it('writes one row per request, successes and failures alike, newest first', async () => {
    const ok = await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).expect(200);
    await t.http().get('/test-probe').expect(401);
    await t.http().get('/test-probe').set('Authorization', 'Bearer cf_not-a-real-token').expect(401);
    await t.admin('post', '/admin/tokens').send({ name: 'Bad Name' }).expect(400);
    await t.admin('post', '/admin/tokens').set('Content-Type', 'application/json').send('{oops').expect(400);

    // A listing's own row is written after it answers, so it is not among its results.
    const [badJson, badName, unknown, missing, success] = await rows({ limit: '5' });
    expect(success).toMatchObject({ token_name: 'cauldron', method: 'GET', route: '/test-probe', status: 200, error_code: null, request_id: ok.headers['x-request-id'] });
    expect(missing).toMatchObject({ token_name: null, route: '/test-probe', status: 401, error_code: 'missing_token' });
    expect(unknown).toMatchObject({ token_name: null, status: 401, error_code: 'invalid_token' });
    expect(badName).toMatchObject({ token_name: 'admin', method: 'POST', route: '/admin/tokens', status: 400, error_code: 'invalid_request' });
    expect(badJson).toMatchObject({ token_name: null, route: '/admin/tokens', status: 400, error_code: 'invalid_json' });
    for (const row of [success, missing, badName]) expect(row.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('shows each request in the log as soon as it is answered, with no wait for the batch', async () => {
    for (let i = 0; i < 20; i++) {
      const answered = await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).expect(200);
      const listed = await t.admin('get', '/admin/audit').query({ limit: '5' }).expect(200);
      expect((listed.body.items as Row[]).map((row) => row.request_id)).toContain(answered.headers['x-request-id']);
    }
  });

  it('records the route pattern, not the concrete path', async () => {
    await t.admin('get', '/admin/tokens/cauldron').expect(200);
    const [row] = await rows({ limit: '1' });
    expect(row.route).toBe('/admin/tokens/:name');
  });

  it('never stores a token, and skips public routes', async () => {
    await t.http().get('/healthz').expect(200);
    const all = await rows({ limit: '1000' });
    const text = JSON.stringify(all);
    expect(text).not.toContain(token);
    expect(text).not.toContain(ADMIN_TOKEN);
    expect(all.some((r) => r.route === '/healthz')).toBe(false);
  });

  it('filters by token, route and since, and pages with a cursor', async () => {
    for (let i = 0; i < 3; i++) await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).expect(200);
    const mine = await rows({ token: 'cauldron', route: '/test-probe' });
    expect(mine.length).toBeGreaterThanOrEqual(4);
    expect(mine.every((r) => r.token_name === 'cauldron' && r.route === '/test-probe')).toBe(true);
    expect(mine.map((r) => r.id)).toEqual([...mine.map((r) => r.id)].sort((a, b) => b - a));

    const future = await rows({ since: new Date(Date.now() + 60_000).toISOString() });
    expect(future).toEqual([]);
    const sinceFirst = await rows({ token: 'cauldron', since: mine[mine.length - 1].at });
    expect(sinceFirst.length).toBeGreaterThanOrEqual(mine.length);

    await t.app.get(AuditService).flush();
    const page1 = await t.admin('get', '/admin/audit').query({ token: 'cauldron', limit: '2' }).expect(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await t.admin('get', '/admin/audit').query({ token: 'cauldron', limit: '2', cursor: page1.body.next_cursor }).expect(200);
    expect(page2.body.items[0].id).toBeLessThan(page1.body.items[1].id);
  });

  it('filters by status and until, and follows the log after an id, oldest first', async () => {
    await t.http().get('/test-probe').expect(401);
    const failed = await rows({ status: 'failed' });
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.status >= 400)).toBe(true);
    expect((await rows({ status: '4xx' })).every((r) => r.status >= 400 && r.status < 500)).toBe(true);
    const unauthorized = await rows({ status: '401' });
    expect(unauthorized.length).toBeGreaterThan(0);
    expect(unauthorized.every((r) => r.status === 401)).toBe(true);
    expect(await rows({ until: '2000-01-01T00:00:00Z' })).toEqual([]);
    const [newest, older] = await rows({ limit: '2' });
    expect((await rows({ until: newest.at })).every((r) => r.at < newest.at)).toBe(true);

    const after = await rows({ after_id: String(older.id) });
    expect(after[0].id).toBe(newest.id);
    expect(after.map((r) => r.id)).toEqual([...after.map((r) => r.id)].sort((a, b) => a - b));
    await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).expect(200);
    const fresh = await rows({ after_id: String(newest.id), route: '/test-probe' });
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ route: '/test-probe', status: 200, token_name: 'cauldron' });
  });

  it.each([
    [{ status: 'bad' }, 'status'],
    [{ status: '6xx' }, 'status'],
    [{ until: 'tomorrow' }, 'until'],
    [{ after_id: '-1' }, 'after_id'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: '0' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ since: 'yesterday' }, 'since'],
    [{ cursor: 'bm90IGEgY3Vyc29y' }, 'cursor'],
  ])('400s %j naming %s', async (query, field) => {
    const res = await t.admin('get', '/admin/audit').query(query).expect(400);
    expect(res.body.error.field).toBe(field);
  });
});
