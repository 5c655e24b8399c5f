import { startTestApp, TestApp } from './support/test-app';

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
  summary?: string;
}

describe('/docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves the Swagger UI without a token', async () => {
    const res = await t.http().get('/docs/').expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it('documents every route, with its bearer scheme and an error schema on failures', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, path, op })),
    );
    expect(operations.map((o) => o.route).sort()).toEqual(
      [
        'DELETE /admin/tokens/{name}',
        'PATCH /admin/tokens/{name}',
        'GET /admin/usage',
        'GET /usage',
        'GET /metrics',
        'GET /admin/audit',
        'GET /admin/tokens',
        'GET /admin/tokens/{name}',
        'GET /healthz',
        'POST /admin/tokens',
        'DELETE /files/{file_token}',
        'GET /files',
        'POST /files',
        'POST /run',
        'POST /sessions',
        'GET /sessions',
        'GET /sessions/{id}',
        'DELETE /sessions/{id}',
        'POST /sessions/{id}/turn',
      ].sort(),
    );
    for (const { path, op, route } of operations) {
      expect({ route, summary: op.summary }).toEqual({ route, summary: expect.any(String) });
      // Open to any allowed address (/metrics optionally behind METRICS_TOKEN, which it documents).
      if (path === '/healthz' || path === '/metrics') continue;
      expect(op.security).toEqual([{ [path.startsWith('/admin') ? 'admin' : 'app-token']: [] }]);
      expect(op.responses['401']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyDto' } } } });
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['admin', 'app-token']);
    expect(doc.components.schemas).not.toHaveProperty('Object');
  });
});
