import { AuditService } from '@clawdforge/audit';
import { startTestApp, TestApp } from './support/test-app';
import { ProbeController } from './support/probe.controller';

describe('IP allowlist', () => {
  describe('without TRUST_PROXY', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ALLOW_CIDRS: '10.0.0.0/8' }, { controllers: [ProbeController] });
    });
    afterAll(() => t.close());

    it('admits loopback and ignores a spoofed X-Forwarded-For', async () => {
      await t.http().get('/healthz').set('X-Forwarded-For', '203.0.113.9').expect(200);
      await t.admin('get', '/admin/tokens').set('X-Forwarded-For', '203.0.113.9').expect(200);
    });

    it('applies a token’s own list to loopback too, answering as for a bogus token (no oracle), the reason in the audit', async () => {
      const remoteOnly = await t.mintToken('remote-only', ['10.0.0.0/8']);
      const res = await t.http().get('/test-probe').set('Authorization', `Bearer ${remoteOnly}`).expect(401);
      const bogus = await t.http().get('/test-probe').set('Authorization', `Bearer cf_${'x'.repeat(43)}`).expect(401);
      expect(res.body).toEqual(bogus.body);
      expect(res.headers['www-authenticate']).toBe(bogus.headers['www-authenticate']);
      const onAdmin = await t.http().get('/admin/tokens').set('Authorization', `Bearer ${remoteOnly}`).expect(401);
      expect(onAdmin.body.error.code).toBe('invalid_token');
      await t.app.get(AuditService).flush();
      const rows = (await t.admin('get', '/admin/audit').query({ route: '/test-probe' }).expect(200)).body.items;
      expect(rows[1]).toMatchObject({ token_name: 'remote-only', status: 401, error_code: 'ip_not_allowed' });
      // A refused request is not a use.
      expect((await t.admin('get', '/admin/tokens/remote-only').expect(200)).body.last_used_at).toBeNull();

      const localToo = await t.mintToken('local-too', ['10.0.0.0/8', '127.0.0.1']);
      await t.http().get('/test-probe').set('Authorization', `Bearer ${localToo}`).expect(200);
    });

    it('matches IPv4-mapped IPv6 peers against IPv4 ranges', async () => {
      // The server listens on all interfaces, so Node reports the peer as ::ffff:127.0.0.1.
      const viaMapped = await t.mintToken('mapped', ['::ffff:127.0.0.0/104']);
      await t.http().get('/test-probe').set('Authorization', `Bearer ${viaMapped}`).expect(200);
    });
  });

  describe('with TRUST_PROXY naming the loopback proxy', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ALLOW_CIDRS: '10.0.0.0/8,2001:db8::/32', TRUST_PROXY: '127.0.0.1,::1' }, { controllers: [ProbeController] });
    });
    afterAll(() => t.close());

    it.each([
      ['10.1.2.3', 200],
      ['2001:db8::7', 200],
      ['192.168.1.10', 403],
      ['2001:db9::1', 403],
      ['::ffff:10.1.2.3', 200],
    ])('X-Forwarded-For %s → %d', async (ip, status) => {
      const res = await t.http().get('/healthz').set('X-Forwarded-For', ip).expect(status);
      if (status === 403) expect(res.body).toEqual({ ok: false, error: { code: 'ip_not_allowed', message: `client address ${ip} is not allowed` } });
    });

    it('takes the hop nearest the trusted proxy, not a client-supplied one further left', async () => {
      await t.http().get('/healthz').set('X-Forwarded-For', '10.1.1.1, 192.168.1.10').expect(403);
      await t.http().get('/healthz').set('X-Forwarded-For', '192.168.1.10, 10.1.1.1').expect(200);
    });

    it('guards the Swagger UI and documents like any route', async () => {
      for (const path of ['/docs-json', '/docs-yaml', '/DOCS-YAML', '/docs/', '/Docs-Json']) {
        const res = await t.http().get(path).set('X-Forwarded-For', '192.168.1.10').expect(403);
        expect(res.body.error.code).toBe('ip_not_allowed');
        expect(res.text).not.toContain('openapi');
      }
      const ok = await t.http().get('/docs-json').set('X-Forwarded-For', '10.1.1.1').expect(200);
      expect(ok.body.openapi).toBeDefined();
    });

    it('guards the console and its assets like any route', async () => {
      for (const path of ['/console', '/console/', '/CONSOLE', '/console/assets/console-ABCDEFGH.js']) {
        const res = await t.http().get(path).set('X-Forwarded-For', '192.168.1.10').expect(403);
        expect(res.body.error.code).toBe('ip_not_allowed');
      }
      // Inside the allowlist it is served (or named as not built, in a tree with no dist/console).
      const inside = await t.http().get('/console').set('X-Forwarded-For', '10.1.1.1');
      expect([200, 404]).toContain(inside.status);
      if (inside.status === 200) expect(inside.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    });

    it('refuses a peer outside the allowlist before routing: unknown paths are 403 too, not 404', async () => {
      const probes = [
        t.http().get('/no-such-route'),
        t.http().post('/admin/nothing-here'),
        t.http().delete('/sessions/../../etc/passwd'),
        t.http().options('/run'),
        t.http().post('/run').set('Content-Type', 'application/json').send('{"broken'),
      ];
      for (const probe of probes) {
        const res = await probe.set('X-Forwarded-For', '192.168.1.10').expect(403);
        expect(res.body).toEqual({ ok: false, error: { code: 'ip_not_allowed', message: 'client address 192.168.1.10 is not allowed' } });
      }
      const allowed = await t.http().get('/no-such-route').set('X-Forwarded-For', '10.1.1.1').expect(404);
      expect(allowed.body.error.code).toBe('not_found');
    });

    it('audits a refused peer under its resolved address, and the Swagger pages not at all', async () => {
      await t.http().get('/probe-for-audit').set('X-Forwarded-For', '192.168.77.1').expect(403);
      await t.http().get('/docs-json').set('X-Forwarded-For', '10.1.1.1').expect(200);
      await t.app.get(AuditService).flush();
      const rows = (await t.admin('get', '/admin/audit').query({ limit: '1000' }).expect(200)).body.items as { route: string; client_ip: string; status: number }[];
      expect(rows.filter((row) => row.route === '/probe-for-audit')).toEqual([
        expect.objectContaining({ client_ip: '192.168.77.1', status: 403, error_code: 'ip_not_allowed', token_name: null }),
      ]);
      const docs = rows.filter((row) => row.route.toLowerCase().startsWith('/docs'));
      expect(docs.length).toBeGreaterThan(0);
      expect(docs.every((row) => row.status === 403)).toBe(true);
    });

    it('checks a token’s own list against the forwarded address', async () => {
      const token = await t.mintToken('lab', ['10.20.0.0/16']);
      await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', '10.20.3.4').expect(200);
      await t.http().get('/test-probe').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', '10.21.3.4').expect(401);
    });
  });
});
