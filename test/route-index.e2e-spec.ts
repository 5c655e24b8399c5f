import type { Express } from 'express';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Routes are filed by first path segment (RouteIndexedExpressAdapter); what a request reaches must
 * be what Express alone would route it to: the same case-folding, trailing slashes, HEAD for GET,
 * and nothing for a segment spelled another way.
 */
describe('routing through the route index', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await t.mintToken('router');
  });
  afterAll(() => t.close());

  const get = (url: string) => t.http().get(url).set('Authorization', `Bearer ${token}`);

  it('files the routes behind a few layers of Express, not one each', () => {
    const stack = (t.app.getHttpAdapter().getInstance() as Express).router.stack as { route?: unknown }[];
    // Some thirty routes; only the two that carry their own body parser stay single layers.
    expect(stack.filter((layer) => layer.route !== undefined).length).toBeLessThanOrEqual(2);
    expect(stack.length).toBeLessThan(15);
  });

  it.each(['/sessions', '/sessions/', '/SESSIONS', '/Sessions?limit=5'])('%s reaches the session list', async (url) => {
    const res = await get(url).expect(200);
    expect(res.body).toEqual({ ok: true, items: [], next_cursor: null });
  });

  it('routes with parameters and several segments still match', async () => {
    await get('/v1/models').expect(200);
    const res = await get('/sessions/00000000-0000-4000-8000-000000000000').expect(404);
    expect(res.body.error.code).toBe('session_not_found');
    await t.admin('get', '/admin/tokens/router').expect(200);
  });

  it('HEAD is answered by the GET route', async () => {
    await t.http().head('/healthz').expect(200);
  });

  it.each([
    ['GET', '/%73essions'],
    ['GET', '/sessionsx'],
    ['GET', '//sessions'],
    ['OPTIONS', '/sessions'],
    ['PUT', '/sessions'],
  ])('%s %s → 404, as Express alone answers', async (method, url) => {
    const verb = method.toLowerCase() as 'get' | 'options' | 'put';
    const res = await t.http()[verb](url).set('Authorization', `Bearer ${token}`).expect(404);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('the Swagger routes, filed apart, still answer', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(res.body.paths['/sessions']).toBeDefined();
  });
});
