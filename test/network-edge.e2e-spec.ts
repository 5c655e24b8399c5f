import type { AddressInfo } from 'node:net';
import { AuditService } from '@clawdforge/audit';
import { netnsAvailable, PeerNamespace } from './support/netns';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Peers on another network, for real: a network namespace joined by a veth pair, the server
 * listening on `::` (dual stack) as `HOST=::` has it. An IPv4-compatible IPv6 source (`::a.b.c.d`,
 * deprecated) is any IPv6 host's to use: it is neither loopback nor the IPv4 host it spells. Only
 * an IPv4-mapped address (`::ffff:a.b.c.d`, a real IPv4 peer on a dual-stack socket) reads as IPv4.
 */
describe('peers on another network (network namespaces, HOST=::)', () => {
  let peer: PeerNamespace;

  /** A test app listening on every address, `::`, like HOST=:: */
  async function listening(env: Record<string, string>): Promise<{ t: TestApp; port: number }> {
    const t = await startTestApp(env);
    await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '::', resolve));
    return { t, port: (t.app.getHttpServer().address() as AddressInfo).port };
  }

  beforeAll(() => {
    if (!netnsAvailable()) throw new Error('these specs make network namespaces: run them as root on Linux with iproute2');
    peer = PeerNamespace.create({ extraIPv6: ['::127.0.0.1', '::10.9.8.7'] });
  });
  afterAll(() => peer?.destroy());

  describe('ALLOW_CIDRS naming the peer’s IPv4 network, and 10.0.0.0/8', () => {
    let t: TestApp;
    let port: number;
    let pinnedToLoopback: string;

    beforeAll(async () => {
      ({ t, port } = await listening({ ALLOW_CIDRS: `${peer.peerIPv4.replace(/\.2$/, '.0')}/24,10.0.0.0/8` }));
      pinnedToLoopback = await t.mintToken('loopback-only', ['127.0.0.1/32']);
    });
    afterAll(() => t.close());

    it('admits the peer’s IPv4 address (seen as ::ffff:… on the dual-stack socket) and names it as IPv4', async () => {
      const [answer] = await peer.request(peer.hostIPv4, port, [{ path: '/no-such-route' }]);
      expect(answer.status).toBe(404);
      await t.app.get(AuditService).flush();
      const rows = (await t.admin('get', '/admin/audit').query({ route: '/no-such-route' }).expect(200)).body.items;
      expect(rows[0]).toMatchObject({ client_ip: peer.peerIPv4, status: 404 });
    });

    it('refuses the peer’s IPv6 address, outside the list', async () => {
      const [answer] = await peer.request(peer.hostIPv6, port, [{ path: '/healthz' }]);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error).toEqual({ code: 'ip_not_allowed', message: `client address ${peer.peerIPv6} is not allowed` });
    });

    it.each(['/healthz', '/docs-json', '/metrics', '/usage'])('::127.0.0.1 is not loopback: %s → 403', async (route) => {
      const [answer] = await peer.request(peer.hostIPv6, port, [{ path: route, headers: { Authorization: `Bearer ${pinnedToLoopback}` } }], '::127.0.0.1');
      expect(answer.status).toBe(403);
      expect(answer.body).not.toContain('openapi');
      expect(answer.body).not.toContain('clawdforge_');
      expect(JSON.parse(answer.body).error.message).toBe('client address ::7f00:1 is not allowed');
    });

    it('::10.9.8.7 is not within 10.0.0.0/8: 403, audited under its own IPv6 address', async () => {
      const [answer] = await peer.request(peer.hostIPv6, port, [{ path: '/compat-probe' }], '::10.9.8.7');
      expect(answer.status).toBe(403);
      await t.app.get(AuditService).flush();
      const rows = (await t.admin('get', '/admin/audit').query({ route: '/compat-probe' }).expect(200)).body.items;
      expect(rows).toEqual([expect.objectContaining({ client_ip: '::a09:807', status: 403, error_code: 'ip_not_allowed' })]);
    });
  });

  describe('ALLOW_CIDRS admitting IPv4-compatible sources as IPv6 (::/96): a token’s own ip_cidrs', () => {
    let t: TestApp;
    let port: number;

    beforeAll(async () => {
      ({ t, port } = await listening({ ALLOW_CIDRS: '::/96' }));
    });
    afterAll(() => t.close());

    it.each([
      ['127.0.0.1/32', '::127.0.0.1'],
      ['10.0.0.0/8', '::10.9.8.7'],
      ['10.9.8.7', '::10.9.8.7'],
    ])('a token pinned to %s, used from %s → 401 as a bogus token', async (cidr, from) => {
      const token = await t.mintToken(`pinned-${from.replace(/[:.]/g, '-')}-${cidr.replace(/[./]/g, '-')}`, [cidr]);
      const [answer] = await peer.request(peer.hostIPv6, port, [{ path: '/usage', headers: { Authorization: `Bearer ${token}` } }], from);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body).error.code).toBe('invalid_token');
    });

    it('a token pinned to the IPv6 spelling of that address works from it', async () => {
      const token = await t.mintToken('pinned-v6', ['::a09:807/128']);
      const [answer] = await peer.request(peer.hostIPv6, port, [{ path: '/usage', headers: { Authorization: `Bearer ${token}` } }], '::10.9.8.7');
      expect(answer.status).toBe(200);
    });
  });
});
