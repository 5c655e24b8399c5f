import { startTestApp, TestApp } from './support/test-app';
import { ProbeController } from './support/probe.controller';

describe('error responses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { controllers: [ProbeController] });
  });
  afterAll(() => t.close());

  const shape = { ok: false, error: { code: expect.any(String), message: expect.any(String) } };

  it('malformed JSON → 400 invalid_json, without echoing the body', async () => {
    const res = await t.admin('post', '/admin/tokens').set('Content-Type', 'application/json').send('{"name": "x", SECRET-PAYLOAD').expect(400);
    expect(res.body).toEqual({ ok: false, error: { code: 'invalid_json', message: 'request body is not valid JSON', field: 'body' } });
    expect(res.text).not.toContain('SECRET-PAYLOAD');
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('a body over 1 MiB → 413', async () => {
    const res = await t.admin('post', '/admin/tokens').send({ name: 'big', pad: 'x'.repeat(1024 * 1024) }).expect(413);
    expect(res.body).toEqual({ ok: false, error: { code: 'payload_too_large', message: 'request body exceeds 1 MiB' } });
  });

  it('an unknown route → 404 in the error shape', async () => {
    const res = await t.http().get('/no/such/route').expect(404);
    expect(res.body).toEqual({ ok: false, error: { code: 'not_found', message: 'no route for GET /no/such/route' } });
  });

  it('a wrong method on a known path → 404 in the error shape', async () => {
    const res = await t.admin('post', '/healthz').expect(404);
    expect(res.body).toMatchObject(shape);
  });

  it('an unexpected failure → bare 500 with no message, stack or path', async () => {
    const token = await t.mintToken('crasher');
    const res = await t.http().get('/test-probe/crash').set('Authorization', `Bearer ${token}`).expect(500);
    expect(res.body).toEqual({ ok: false, error: { code: 'internal_error', message: 'internal error' } });
    expect(res.text).not.toMatch(/hunter2|\/srv|at .*\.ts/);
  });

  it('a bad percent-encoding in the path → 400, not a crash', async () => {
    const res = await t.admin('get', '/admin/tokens/%E0%A4%A').expect(400);
    expect(res.body).toMatchObject(shape);
  });

  it('routes are protected by default: an undecorated route needs a token', async () => {
    const res = await t.http().get('/test-probe').expect(401);
    expect(res.body.error.code).toBe('missing_token');
  });

  describe('X-Request-Id', () => {
    it('is generated per request', async () => {
      const a = await t.http().get('/healthz');
      const b = await t.http().get('/healthz');
      expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });

    it('echoes a plain client id and replaces a hostile one', async () => {
      const plain = await t.http().get('/healthz').set('X-Request-Id', 'app-42.retry:1');
      expect(plain.headers['x-request-id']).toBe('app-42.retry:1');
      const hostile = await t.http().get('/healthz').set('X-Request-Id', 'x'.repeat(65));
      expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('is set on errors too', async () => {
      const res = await t.http().get('/admin/tokens').expect(401);
      expect(res.headers['x-request-id']).toBeDefined();
    });
  });
});
