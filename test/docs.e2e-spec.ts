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
        'GET /admin/sessions',
        'DELETE /admin/sessions/{id}',
        'GET /admin/files',
        'GET /healthz',
        'POST /admin/tokens',
        'DELETE /files/{file_token}',
        'GET /files',
        'POST /files',
        'POST /run',
        'GET /runs',
        'GET /runs/{run_id}',
        'GET /runs/{run_id}/events',
        'DELETE /runs/{run_id}',
        'POST /sessions',
        'GET /sessions',
        'GET /sessions/{id}',
        'DELETE /sessions/{id}',
        'POST /sessions/{id}/turn',
        'POST /v1/chat/completions',
        'POST /v1/messages',
        'GET /v1/models',
        'GET /v1/models/{id}',
      ].sort(),
    );
    for (const { path, op, route } of operations) {
      expect({ route, summary: op.summary }).toEqual({ route, summary: expect.any(String) });
      // Open to any allowed address (/metrics optionally behind METRICS_TOKEN, which it documents).
      if (path === '/healthz' || path === '/metrics') continue;
      if (path.startsWith('/v1/')) {
        // OpenAI's and Anthropic's routes: either header, and their own error bodies.
        expect(op.security).toEqual(expect.arrayContaining([{ 'app-token': [] }, { 'api-key': [] }]));
        const body = path === '/v1/messages' ? 'AnthropicErrorDoc' : 'OpenAiErrorDoc';
        for (const status of ['400', '401', '403', '404'].filter((s) => op.responses[s])) {
          expect(op.responses[status]).toMatchObject({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${body}` } } } });
        }
        continue;
      }
      expect(op.security).toEqual([{ [path.startsWith('/admin') ? 'admin' : 'app-token']: [] }]);
      expect(op.responses['401']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyDto' } } } });
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['admin', 'api-key', 'app-token']);
    expect(doc.components.schemas).not.toHaveProperty('Object');
  });
});
