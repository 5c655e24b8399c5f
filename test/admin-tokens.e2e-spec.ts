import { ADMIN_TOKEN, startTestApp, TestApp } from './support/test-app';
import { ProbeController } from './support/probe.controller';

describe('/admin/tokens', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({}, { controllers: [ProbeController] });
  });
  afterAll(() => t.close());

  it('mints a cf_ token shown once, with canonical CIDRs', async () => {
    const res = await t.admin('post', '/admin/tokens').send({ name: 'cauldron', ip_cidrs: ['10.9.8.7/8', '::1'] }).expect(201);
    expect(res.body).toEqual({
      ok: true,
      name: 'cauldron',
      token: expect.stringMatching(/^cf_[A-Za-z0-9_-]{43}$/),
      ip_cidrs: ['10.0.0.0/8', '::1/128'],
      models: null,
      max_concurrent_runs: null,
      runs_per_minute: null,
      budget_usd_day: null,
      budget_usd_month: null,
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    });
    const listed = await t.admin('get', '/admin/tokens').expect(200);
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(res.body.token);
    expect(text).not.toMatch(/hash/i);
    expect(listed.body.items.find((i: { name: string }) => i.name === 'cauldron')).toMatchObject({ ip_cidrs: ['10.0.0.0/8', '::1/128'] });
  });

  it('authenticates the minted token on an app route and records last use', async () => {
    const token = await t.mintToken('johnny5');
    const res = await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body).toEqual({ ok: true, token: 'johnny5' });
    const read = await t.admin('get', '/admin/tokens/johnny5').expect(200);
    expect(read.body.last_used_at).not.toBeNull();
  });

  it('409s a name that is live, and lets it be rotated after revocation', async () => {
    const first = await t.mintToken('petalparse');
    const taken = await t.admin('post', '/admin/tokens').send({ name: 'petalparse' }).expect(409);
    expect(taken.body).toEqual({ ok: false, error: { code: 'token_name_taken', message: expect.stringContaining('petalparse') } });

    await t.admin('delete', '/admin/tokens/petalparse').expect(200);
    const second = await t.mintToken('petalparse');
    expect(second).not.toBe(first);
    await t.http().get('/test-probe').set('Authorization', `Bearer ${first}`).expect(401);
    await t.http().get('/test-probe').set('Authorization', `Bearer ${second}`).expect(200);
  });

  it('revocation takes effect on the very next request, and is idempotent', async () => {
    const token = await t.mintToken('shortlived');
    await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).expect(200);
    const revoked = await t.admin('delete', '/admin/tokens/shortlived').expect(200);
    expect(revoked.body).toMatchObject({ ok: true, name: 'shortlived', revoked_at: expect.any(String) });
    const denied = await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).expect(401);
    expect(denied.body.error.code).toBe('invalid_token');
    const again = await t.admin('delete', '/admin/tokens/shortlived').expect(200);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
  });

  it.each([
    [{ name: 'Upper' }, 'name'],
    [{ name: '-leading' }, 'name'],
    [{ name: 'a'.repeat(65) }, 'name'],
    [{ name: 'has space' }, 'name'],
    [{ name: 'admin' }, 'name'],
    [{}, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'ok', ip_cidrs: '10.0.0.0/8' }, 'ip_cidrs'],
    [{ name: 'ok', extra: true }, 'extra'],
  ])('400s %j naming %s', async (body, field) => {
    const res = await t.admin('post', '/admin/tokens').send(body).expect(400);
    expect(res.body.ok).toBe(false);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toContain(field);
  });

  it('400s a bad CIDR naming the bad one', async () => {
    const res = await t.admin('post', '/admin/tokens').send({ name: 'badnet', ip_cidrs: ['10.0.0.0/8', '300.1.1.1/8'] }).expect(400);
    expect(res.body.error.field).toBe('ip_cidrs');
    expect(res.body.error.message).toContain('300.1.1.1/8');
  });

  it('404s reading or revoking an unknown name', async () => {
    for (const method of ['get', 'delete'] as const) {
      const res = await t.admin(method, '/admin/tokens/nobody').expect(404);
      expect(res.body).toEqual({ ok: false, error: { code: 'token_not_found', message: 'no token named "nobody"' } });
    }
  });

  it('pages the list with an opaque cursor', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await t.mintToken(name);
    const names: string[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { limit: '2' };
      if (cursor) query.cursor = cursor;
      const res = await t.admin('get', '/admin/tokens').query(query).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      for (const item of res.body.items as { name: string; created_at: string }[]) {
        names.push(item.name);
        seen.add(`${item.name}@${item.created_at}`);
      }
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(names).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
    expect(seen.size).toBe(names.length);
    await t.admin('get', '/admin/tokens').query({ cursor: 'garbage' }).expect(400);
    await t.admin('get', '/admin/tokens').query({ limit: '1001' }).expect(400);
  });

  describe('admin authentication', () => {
    it('401s without a header, with a wrong token, or a malformed header', async () => {
      const none = await t.http().get('/admin/tokens').expect(401);
      expect(none.body.error.code).toBe('missing_token');
      expect(none.headers['www-authenticate']).toBe('Bearer');
      const wrong = await t.http().get('/admin/tokens').set('Authorization', `Bearer ${ADMIN_TOKEN}x`).expect(401);
      expect(wrong.body.error.code).toBe('invalid_token');
      await t.http().get('/admin/tokens').set('Authorization', `Basic ${ADMIN_TOKEN}`).expect(401);
      await t.http().get('/admin/tokens').set('Authorization', 'Bearer').expect(401);
    });

    it('403s an app token on an admin route', async () => {
      const token = await t.mintToken('sneaky');
      const res = await t.http().post('/admin/tokens').set('Authorization', `Bearer ${token}`).send({ name: 'escalated' }).expect(403);
      expect(res.body.error.code).toBe('admin_required');
      await t.admin('get', '/admin/tokens/escalated').expect(404);
    });

    it('401s the admin token on an app route', async () => {
      await t.http().get('/test-probe').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(401);
    });
  });
});
