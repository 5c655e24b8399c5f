import * as net from 'node:net';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { ADMIN_TOKEN } from './support/test-app';

/**
 * Hostile input from outside, against npm start with fake CLIs at the process boundary: every case
 * answers a clean 4xx JSON error naming the problem, no stack trace or path, and the server keeps
 * serving. Cases are grouped by what they attack.
 */
describe('hostile inputs (npm start)', () => {
  let served: NpmServer;
  let port: number;
  let base: string;
  let token: string;

  beforeAll(async () => {
    assertBuilt();
    served = await startNpmServer();
    ({ port, base } = served);
    const minted = await fetch(`${base}/admin/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'hostile' }),
    });
    token = ((await minted.json()) as { token: string }).token;
  });
  afterAll(() => served.stop());
  afterEach(async () => {
    expect(served.server.child.exitCode).toBeNull();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  /** A JSON error: the status, the code, the field when given, and nothing a client should not see. */
  async function expectError(res: Response, status: number, code: string, field?: string): Promise<void> {
    const text = await res.text();
    expect({ status: res.status, text: text.slice(0, 300) }).toMatchObject({ status });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = JSON.parse(text) as { ok: boolean; error: { code: string; field?: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe(code);
    if (field !== undefined) expect(body.error.field).toBe(field);
    expect(text).not.toMatch(/\s+at \S+ \(|\/work\/|node_modules|dist\/apps/);
  }

  const post = (route: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers }, body });
  const run = (body: object) => post('/run', JSON.stringify(body));

  describe('JSON bodies', () => {
    it.each([
      ['malformed', '{"prompt": "x", BROKEN', 'invalid_json'],
      ['truncated', '{"prompt": "x"', 'invalid_json'],
      ['nested 50 000 deep', `${'['.repeat(50_000)}${']'.repeat(50_000)}`, 'invalid_json'],
      ['nested 65 deep in a field', JSON.stringify({ prompt: 'x', json_schema: JSON.parse(`${'{"a":'.repeat(64)}1${'}'.repeat(64)}`) }), 'invalid_json'],
      ['a duplicate key', '{"prompt":"harmless","prompt":"other"}', 'invalid_json'],
      ['a duplicate key spelled with an escape', '{"prompt":"a","\\u0070rompt":"b"}', 'invalid_json'],
      ['a top-level array', '[1,2,3]', 'invalid_request'],
      ['a top-level string', '"prompt"', 'invalid_json'],
      ['null', 'null', 'invalid_json'],
      ['a __proto__ key', '{"prompt":"x","__proto__":{"admin":true}}', 'invalid_json'],
      ['a constructor key, nested', '{"prompt":"x","json_schema":{"constructor":{"prototype":1}}}', 'invalid_json'],
      ['empty', '', 'invalid_request'],
    ])('%s → 400 %s', async (_name, body, code) => {
      await expectError(await post('/run', body), 400, code);
    });

    it('a body over 1 MiB → 413', async () => {
      await expectError(await run({ prompt: 'x'.repeat(1024 * 1024 + 10) }), 413, 'payload_too_large');
    });

    it.each([
      ['text/plain', 'invalid_request'],
      ['application/x-www-form-urlencoded', 'invalid_request'],
    ])('a JSON body sent as %s → 400 (prompt missing)', async (type, code) => {
      await expectError(await post('/run', JSON.stringify({ prompt: 'x' }), { 'Content-Type': type }), 400, code, 'prompt');
    });

    it('an unsupported charset → 415', async () => {
      await expectError(await post('/run', JSON.stringify({ prompt: 'x' }), { 'Content-Type': 'application/json; charset=latin1' }), 415, 'unsupported_media_type');
    });

    // JSON is UTF-8 (RFC 8259 §8.1): in another encoding the checks on the raw bytes (duplicate and
    // prototype keys, depth) would read something other than what JSON.parse reads.
    const encoded = (text: string, charset: string) =>
      charset.startsWith('utf-16') ? Buffer.from(`${charset === 'utf-16' ? '\ufeff' : ''}${text}`, 'utf16le') : Buffer.from(text, 'utf8');
    it.each([
      ['utf-16le', '/admin/tokens', '{"name":"twice-a","name":"twice-b"}'],
      ['utf-16le', '/admin/tokens', '{"name":"proto","__proto__":{"admin":true}}'],
      ['utf-16le', '/run', `{"prompt":"x","json_schema":${'['.repeat(5000)}${']'.repeat(5000)}}`],
      ['utf-16', '/run', '{"prompt":"x"}'],
      ['UTF-16BE', '/run', '{"prompt":"x"}'],
      ['utf-32', '/run', '{"prompt":"x"}'],
      ['utf-7', '/run', '{"prompt":"x"}'],
      ['utf8', '/run', '{"prompt":"x"}'],
    ])('a body declared charset=%s (POST %s) → 415, whatever it holds', async (charset, route, text) => {
      const headers = { Authorization: `Bearer ${route.startsWith('/admin') ? ADMIN_TOKEN : token}`, 'Content-Type': `application/json; charset=${charset}` };
      const res = await fetch(`${base}${route}`, { method: 'POST', headers, body: encoded(text, charset.toLowerCase()) });
      await expectError(res, 415, 'unsupported_media_type');
      const minted = await fetch(`${base}/admin/tokens/twice-b`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(minted.status).toBe(404);
    });

    it.each(['utf-8', 'UTF-8', '"utf-8"'])('charset=%s is JSON as usual', async (charset) => {
      const res = await post('/run', JSON.stringify({ prompt: 'x' }), { 'Content-Type': `application/json; charset=${charset}` });
      expect(res.status).toBe(200);
    });

    it('a key that does not parse still leaves the depth checked: 5 000 levels after it → 400, never a crash', async () => {
      await expectError(await post('/run', `{"\\q":1,"prompt":"x","json_schema":${'['.repeat(5000)}${']'.repeat(5000)}}`), 400, 'invalid_json');
    });
  });

  describe('POST /run fields', () => {
    it.each([
      [{}, 'prompt'],
      [{ prompt: '' }, 'prompt'],
      [{ prompt: 5 }, 'prompt'],
      [{ prompt: ['a'] }, 'prompt'],
      [{ prompt: null }, 'prompt'],
      [{ prompt: { $gt: '' } }, 'prompt'],
      [{ prompt: 'x', model: '--dangerously-skip-permissions' }, 'model'],
      [{ prompt: 'x', model: '-p' }, 'model'],
      [{ prompt: 'x', model: ' sonnet' }, 'model'],
      [{ prompt: 'x', model: 'sonnet\n--print' }, 'model'],
      [{ prompt: 'x', model: 'claude-../../etc' }, 'model'],
      [{ prompt: 'x', model: 'clаude-sonnet' }, 'model'],
      [{ prompt: 'x', model: 'a'.repeat(500) }, 'model'],
      [{ prompt: 'x', system: 'before\u0000after' }, 'system'],
      [{ prompt: 'x', system: '字'.repeat(60_000) }, 'system'],
      [{ prompt: 'x', system: 7 }, 'system'],
      [{ prompt: 'x', json_schema: [] }, 'json_schema'],
      [{ prompt: 'x', json_schema: 'object' }, 'json_schema'],
      [{ prompt: 'x', json_schema: { description: '字'.repeat(30_000) } }, 'json_schema'],
      [{ prompt: 'x', files: 'ff_abc' }, 'files'],
      [{ prompt: 'x', files: Array.from({ length: 10_000 }, (_, i) => `ff_${i}`) }, 'files'],
      [{ prompt: 'x', files: ['../../etc/passwd'] }, 'files'],
      [{ prompt: 'x', files: ['ff_a\u0000b'] }, 'files'],
      [{ prompt: 'x', files: [7] }, 'files'],
      [{ prompt: 'x', timeout_secs: 0 }, 'timeout_secs'],
      [{ prompt: 'x', timeout_secs: -1 }, 'timeout_secs'],
      [{ prompt: 'x', timeout_secs: 3601 }, 'timeout_secs'],
      [{ prompt: 'x', timeout_secs: 1.5 }, 'timeout_secs'],
      [{ prompt: 'x', timeout_secs: '10' }, 'timeout_secs'],
      [{ prompt: 'x', stream: 'yes' }, 'stream'],
      [{ prompt: 'x', dangerously_skip_permissions: true }, 'dangerously_skip_permissions'],
    ])('%j → 400 naming %s', async (body, field) => {
      await expectError(await run(body), 400, 'invalid_request', field);
    });

    it('a system prompt at the byte limit is taken; one byte more is not', async () => {
      expect((await run({ prompt: 'hello', system: 'a'.repeat(64 * 1024) })).status).toBe(200);
      await expectError(await run({ prompt: 'hello', system: 'a'.repeat(64 * 1024 + 1) }), 400, 'invalid_request', 'system');
    });

    it('repeated unknown file tokens → 404 naming one', async () => {
      await expectError(await run({ prompt: 'x', files: ['ff_nope', 'ff_nope'] }), 404, 'file_not_found');
    });

    it('unicode and control characters in a prompt are text, not a problem', async () => {
      const res = await run({ prompt: 'ﬀ \u202e evil \u0007 \u001b[31m 𝕏 \ud83d\ude00' });
      expect(res.status).toBe(200);
    });
  });

  describe('ids and names in paths', () => {
    it.each([
      ['GET', '/sessions/..%2f..%2fetc%2fpasswd'],
      ['GET', '/sessions/%00'],
      ['DELETE', `/sessions/${'a'.repeat(8000)}`],
      ['POST', '/sessions/00000000-0000-4000-8000-000000000000%00/turn'],
      ['GET', '/sessions/00000000-0000-4000-8000-000000000000'],
    ])('%s %s → 404 session_not_found', async (method, route) => {
      const res = await fetch(`${base}${route}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: method === 'POST' ? '{"prompt":"x"}' : undefined });
      await expectError(res, 404, 'session_not_found');
    });

    it.each(['..%2f..%2fadmin', 'name%00', 'x'.repeat(5000), 'ADMIN'])('GET /admin/tokens/%s → 404 token_not_found', async (name) => {
      await expectError(await fetch(`${base}/admin/tokens/${name}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }), 404, 'token_not_found');
    });

    it.each([{ name: '../x' }, { name: 'a\u0000b' }, { name: 'x'.repeat(65) }, { name: 'admin' }, { name: 'ok', ip_cidrs: ['10.0.0.0/99'] }, { name: 'ok', ip_cidrs: 'any' }])(
      'POST /admin/tokens %j → 400',
      async (body) => {
        const res = await fetch(`${base}/admin/tokens`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        expect([400, 409]).toContain(res.status);
        await expectError(res, res.status, res.status === 409 ? 'token_name_taken' : 'invalid_request');
      },
    );
  });

  it.each([
    ['/sessions/%2e%2e', 'session_not_found'],
    ['/sessions/%2E%2E/..', 'session_not_found'],
    ['/admin/tokens/%2e%2e', 'token_not_found'],
  ])('GET %s as sent (no client normalising it) → 404 %s', async (route, code) => {
    const bearer = route.startsWith('/admin') ? ADMIN_TOKEN : token;
    const answer = await raw(`GET ${route} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bearer}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer).toMatch(new RegExp(`"code":"(${code}|not_found)"`));
  });

  describe('uploads', () => {
    const upload = (form: FormData) => fetch(`${base}/files`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });

    it('two file fields → 400', async () => {
      const form = new FormData();
      form.append('file', new Blob(['a']), 'a.txt');
      form.append('file', new Blob(['b']), 'b.txt');
      await expectError(await upload(form), 400, 'invalid_request');
    });

    it('no file field → 400 naming it', async () => {
      const form = new FormData();
      form.append('ttl_secs', '600');
      await expectError(await upload(form), 400, 'invalid_request', 'file');
    });

    it.each(['59', '86401', 'soon', '600.5'])('ttl_secs %s → 400', async (ttl) => {
      const form = new FormData();
      form.append('file', new Blob(['a']), 'a.txt');
      form.append('ttl_secs', ttl);
      await expectError(await upload(form), 400, 'invalid_request', 'ttl_secs');
    });

    it('a JSON body → 400 or 415, never a file', async () => {
      const res = await post('/files', JSON.stringify({ file: 'x' }));
      expect([400, 415]).toContain(res.status);
      await expectError(res, res.status, res.status === 400 ? 'invalid_request' : 'unsupported_media_type');
    });

    it('a name with a path and RTL marks becomes a plain label', async () => {
      const form = new FormData();
      form.append('file', new Blob(['notes']), '../../etc/\u202epasswd\u202c.txt');
      const res = await upload(form);
      expect(res.status).toBe(201);
      const body = (await res.json()) as { name: string };
      expect(body.name).not.toMatch(/[/\\\u202a-\u202e]/);
    });

    it('a binary the model cannot read → 415', async () => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0])]), 'a.bin');
      await expectError(await upload(form), 415, 'unsupported_media_type');
    });
  });

  describe('headers and connections', () => {
    it.each([
      [`Bearer ${'x'.repeat(8000)}`, 'invalid_token'],
      ['Bearer', 'invalid_token'],
      ['Basic dXNlcjpwYXNz', 'invalid_token'],
      [`Bearer ${token} extra`, 'invalid_token'],
      ['', 'missing_token'],
    ])('Authorization %s… → 401 %s', async (header, code) => {
      const res = await fetch(`${base}/sessions`, { headers: header ? { Authorization: header.slice(0, 8000) } : {} });
      await expectError(res, 401, code);
    });

    it('headers past the limit → 431 as JSON', async () => {
      const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 431 /);
      expect(answer).toContain('"code":"headers_too_large"');
    });

    it('a malformed request line → 400 as JSON', async () => {
      const answer = await raw('GET /healthz HTTP/9.9 garbage\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"ok":false');
    });

    it('a connection that sends nothing is closed, and 1 000 of them do not stop others being served', async () => {
      const idle = await Promise.all(Array.from({ length: 1000 }, () => connect()));
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const closed = await Promise.all(idle.slice(0, 20).map((socket) => new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)))));
      expect(closed.every(Boolean)).toBe(true);
      for (const socket of idle) socket.destroy();
    }, 30_000);

    it('a body that never finishes does not hold a request forever: the connection goes, nothing crashes', async () => {
      const socket = await connect();
      socket.write(`POST /run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"prompt":`);
      // It sent a request, so only the request timeout (minutes) ends it; here we leave and the server must not mind.
      socket.destroy();
      expect((await run({ prompt: 'still here' })).status).toBe(200);
    });
  });

  function connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
      socket.on('error', () => undefined);
      socket.once('error', reject);
    });
  }

  async function raw(request: string): Promise<string> {
    const socket = await connect();
    return new Promise((resolve) => {
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('close', () => resolve(answer));
      // Not end(): a half-closed request may be dropped before it is answered.
      socket.write(request);
      setTimeout(() => socket.destroy(), 5000).unref();
    });
  }
});
