import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditService } from '@clawdforge/audit';
import { parseRawAnswer, rawRequest } from './support/raw-http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A request target that is not a path (RFC 9112 §3.2): absolute-form (`GET http://host/…`), the
 * one a proxy is sent; authority-form (`CONNECT host:port`); asterisk-form (`OPTIONS *`). Express
 * routes an absolute-form target by its path as if the client had sent that path, and whatever
 * reads the URL afterwards (forwarding a session's turn to its instance) would read the host the
 * client named. Each is refused with 400 before routing; a path still works.
 */
describe('request targets that are not a path', () => {
  let t: TestApp;
  let port: number;
  let token: string;
  /** Where an absolute-form target points: it must never hear from the server. */
  let elsewhere: http.Server;
  let elsewhereHits = 0;
  let elsewherePort: number;

  beforeAll(async () => {
    t = await startTestApp();
    await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '127.0.0.1', resolve));
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    token = await t.mintToken('targets');
    elsewhere = http.createServer((_req, res) => {
      elsewhereHits++;
      res.end('{"ok":true,"from":"elsewhere"}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewherePort = (elsewhere.address() as AddressInfo).port;
  });
  afterAll(async () => {
    elsewhere.close();
    await t.close();
  });

  const send = async (requestLine: string, headers: string[] = [], body = '') => {
    const head = [requestLine, `Host: 127.0.0.1:${port}`, ...headers, 'Connection: close'];
    if (body !== '') head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
    return parseRawAnswer(await rawRequest(port, `${head.join('\r\n')}\r\n\r\n${body}`));
  };

  it.each([
    ['absolute-form, a public route', 'GET http://203.0.113.9:9/healthz HTTP/1.1'],
    ['absolute-form naming this server', () => `GET http://127.0.0.1:${port}/healthz HTTP/1.1`],
    ['absolute-form, upper-case scheme', 'GET HTTP://127.0.0.1/healthz HTTP/1.1'],
    ['absolute-form, https', 'GET https://127.0.0.1/docs-json HTTP/1.1'],
    ['absolute-form with credentials in it', 'GET http://user:pass@127.0.0.1/healthz HTTP/1.1'],
    ['absolute-form, another scheme', 'GET file:///etc/passwd HTTP/1.1'],
    ['asterisk-form', 'OPTIONS * HTTP/1.1'],
    ['asterisk-form on GET', 'GET * HTTP/1.1'],
  ])('%s → 400 invalid_request before routing', async (_name, line) => {
    const answer = await send(typeof line === 'function' ? line() : line);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('origin-form') } });
    expect(answer.headers).toMatch(/^x-content-type-options: nosniff/im);
  });

  // Node's HTTP parser refuses these itself, before any request exists; still a 400 in our envelope.
  it.each([
    ['authority-form on GET', 'GET 127.0.0.1:9 HTTP/1.1'],
    ['a bare word', 'GET healthz HTTP/1.1'],
  ])('%s → 400 invalid_request from the parser', async (_name, line) => {
    const answer = await send(line);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ok: false, error: { code: 'invalid_request', message: expect.any(String) } });
  });

  it('an app route with a token, in absolute-form naming another server → 400; that server hears nothing, no run starts', async () => {
    const answer = await send(`POST http://127.0.0.1:${elsewherePort}/run HTTP/1.1`, [`Authorization: Bearer ${token}`], '{"prompt":"hello"}');
    expect(answer.status).toBe(400);
    expect(elsewhereHits).toBe(0);
    const usage = await t.http().get('/usage').set('Authorization', `Bearer ${token}`).expect(200);
    expect(usage.body.today.runs).toBe(0);
  });

  it('CONNECT (authority-form) → 400 as JSON rather than a dropped connection, and no tunnel', async () => {
    const answer = await send(`CONNECT 127.0.0.1:${elsewherePort} HTTP/1.1`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('origin-form') } });
    expect(elsewhereHits).toBe(0);
  });

  it('audits the refusal with the target as sent, cut to its first 200 characters', async () => {
    await send(`GET http://203.0.113.9:9/${'x'.repeat(400)} HTTP/1.1`);
    await t.app.get(AuditService).flush();
    const rows = (await t.admin('get', '/admin/audit').query({ limit: '5' }).expect(200)).body.items as { route: string; status: number; error_code: string }[];
    const row = rows.find((r) => r.route.startsWith('http://203.0.113.9:9/x'));
    expect(row).toMatchObject({ status: 400, error_code: 'invalid_request' });
    expect(row!.route.length).toBe(200);
  });

  it('origin-form still works, a query and a double slash included', async () => {
    expect((await send('GET /healthz HTTP/1.1')).status).toBe(200);
    expect((await send('GET /healthz?x=http://203.0.113.9/ HTTP/1.1')).status).toBe(200);
    expect((await send('GET /sessions HTTP/1.1', [`Authorization: Bearer ${token}`])).status).toBe(200);
    expect((await send('GET //healthz HTTP/1.1')).status).toBe(404);
  });
});
