import { assertBuilt, startNpmServer } from './support/built-server';

/**
 * Where secrets must never show up, walked from outside against npm start at LOG_LEVEL=debug: the
 * child's environment, the whole server log, every audit row and every error body must hold
 * neither the admin token, nor an app token, nor a prompt, nor a file's content.
 */
describe('secrets stay where they belong (npm start, LOG_LEVEL=debug)', () => {
  it('keeps the admin token, app tokens, prompts and file contents out of child env, logs, audit rows and error bodies', async () => {
    assertBuilt();
    const admin = `admin-secret-${'k'.repeat(32)}`;
    const prompt = 'PROMPT-SECRET-5d0f the launch codes are 0000';
    const system = 'SYSTEM-SECRET-1e2b you are a vault';
    const fileContent = 'FILE-SECRET-77aa account 123456789';
    const served = await startNpmServer({ ADMIN_BOOTSTRAP_TOKEN: admin, LOG_LEVEL: 'debug', DATABASE_PASSWORD: 'server-only-secret-9f9f' });
    const { base } = served;
    const bodies: string[] = [];
    const call = async (route: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${route}`, init);
      const text = await res.text();
      if (res.status >= 400) bodies.push(text);
      return { status: res.status, text };
    };
    try {
      const json = (bearer: string, body: unknown) => ({
        method: 'POST',
        headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const token = (JSON.parse((await call('/admin/tokens', json(admin, { name: 'keeper' }))).text) as { token: string }).token;
      const other = (JSON.parse((await call('/admin/tokens', json(admin, { name: 'other', ip_cidrs: ['10.9.9.9'] }))).text) as { token: string }).token;

      const form = new FormData();
      form.append('file', new Blob([fileContent]), 'ledger.txt');
      const upload = await fetch(`${base}/files`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
      const fileToken = ((await upload.json()) as { file_token: string }).file_token;

      const echoed = await call('/run', json(token, { prompt: 'FAKE:echo', system, files: [fileToken] }));
      expect(echoed.status).toBe(200);
      const childEnv = JSON.stringify((JSON.parse(echoed.text) as { result: { env: Record<string, string> } }).result.env);
      for (const secret of [admin, token, other, 'server-only-secret-9f9f']) expect(childEnv).not.toContain(secret);

      // Successes and every kind of failure, each carrying secrets where a careless server might echo them.
      await call('/run', json(token, { prompt, system, files: [fileToken] }));
      const crashing = json(token, { prompt: `FAKE:crash ${prompt}` });
      await call('/run', { ...crashing, headers: { ...crashing.headers, 'X-Request-Id': 'crash-run-7' } });
      await call('/run', json(token, { prompt, model: `--${prompt}` }));
      await call('/run', json(token, { prompt, system: `${system}\u0000` }));
      await call('/run', json(other, { prompt }));
      await call('/run', json(`${token}x`, { prompt }));
      await call('/run', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: `{"prompt": "${prompt}", BROKEN` });
      await call('/admin/tokens', json(token, { name: 'nope' }));
      await call('/admin/tokens', json(`${admin}x`, { name: 'nope' }));
      await call('/sessions', json(token, { agent: 'claude', system }));
      // A client that pastes its token into a URL: the log must not keep it either.
      await call(`/sessions/${token}?token=${token}`, { headers: { Authorization: `Bearer ${token}` } });
      await call(`/files/${fileToken}`, { method: 'DELETE', headers: { Authorization: `Bearer ${other}` } });

      const audit = await call('/admin/audit?limit=1000', { headers: { Authorization: `Bearer ${admin}` } });
      const rows = audit.text;
      expect(JSON.parse(rows).items.length).toBeGreaterThan(10);
      const places = { 'audit rows': rows, 'error bodies': bodies.join('\n') };
      for (const [where, text] of Object.entries(places)) {
        for (const secret of [admin, token, other, prompt, system, fileContent]) {
          expect({ where, leaked: text.includes(secret) ? secret : null }).toEqual({ where, leaked: null });
        }
      }
    } finally {
      await served.stop();
    }
    const logs = served.server.output();
    expect(logs).toContain('"msg":"request completed"');
    // At debug a request's line carries its headers, the credentials among them redacted.
    expect(logs).toContain('"authorization":"[redacted]"');
    for (const secret of [admin, prompt, system, fileContent]) expect({ leaked: logs.includes(secret) ? secret : null }).toEqual({ leaked: null });
    expect(logs).not.toMatch(/cf_[A-Za-z0-9_-]{43}/);
    // What the server logs about a request's work carries that request's id, as its request line does.
    const lines = logs.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { reqId?: string; msg?: string; req?: { id?: string } });
    const crashLines = lines.filter((line) => line.reqId === 'crash-run-7' || line.req?.id === 'crash-run-7').map((line) => line.msg);
    expect(crashLines).toEqual(expect.arrayContaining([expect.stringContaining('without a result'), 'request errored']));
  }, 60_000);
});
