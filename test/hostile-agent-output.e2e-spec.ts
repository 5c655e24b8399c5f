import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';
import { ADMIN_TOKEN } from './support/test-app';

const result = (stopReason: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 3, result: { stopReason } });

/**
 * From outside, against npm start: a fake acpx prints whatever the turn's prompt says, as an agent
 * gone wrong (or hostile) might. No line may take the server down or leak past a clean answer.
 */
describe('hostile agent output (npm start, fake acpx)', () => {
  let served: NpmServer;
  let base: string;
  let token: string;
  let session: string;
  const call = (method: string, route: string, body?: object, bearer = token) =>
    fetch(`${base}${route}`, { method, headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });

  beforeAll(async () => {
    assertBuilt();
    served = await startNpmServer();
    base = served.base;
    token = ((await (await call('POST', '/admin/tokens', { name: 'hostile' }, ADMIN_TOKEN)).json()) as { token: string }).token;
    session = ((await (await call('POST', '/sessions', { agent: 'claude' })).json()) as { session_id: string }).session_id;
  });
  afterAll(() => served.stop());

  it.each([
    ['an error of null', 200, ['{"id":7,"error":null}', result('end_turn')]],
    ['an error of null and no result', 502, ['{"id":7,"error":null}', 'exit:1']],
    ['an error that is a string', 502, ['{"id":7,"error":"boom"}', 'exit:1']],
    ['a result of null', 502, ['{"id":3,"result":null}', 'exit:1']],
    ['a stop reason that is a number', 502, [result(5), 'exit:1']],
    ['params of null', 200, ['{"jsonrpc":"2.0","method":"session/update","params":null}', result('end_turn')]],
    ['content of null', 200, ['{"jsonrpc":"2.0","method":"session/update","params":{"update":{"sessionUpdate":"agent_message_chunk","content":null}}}', result('end_turn')]],
    ['a top-level array and null', 200, ['[1,2,3]', 'null', '"text"', result('end_turn')]],
    ['a prototype key', 200, ['{"__proto__":{"polluted":1},"jsonrpc":"2.0","method":"session/update","params":{}}', result('end_turn')]],
    ['half a line', 502, ['{"jsonrpc":"2.0","method":"session/upd', 'exit:1']],
    ['a secret in an error', 502, ['{"id":7,"error":{"code":-1,"message":"key sk-ant-api03-SECRETSECRET at /home/x/.claude/creds"}}', 'exit:1']],
  ])('%s: answers %d with a JSON body, and the server lives on', async (_name, status, lines) => {
    const res = await call('POST', `/sessions/${session}/turn`, { prompt: lines.join('\n') });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { ok: boolean; error?: { code: string; message: string } };
    expect(body.ok).toBe(status === 200);
    if (status !== 200) expect(body.error?.code).toBe('agent_failed');
    expect(JSON.stringify(body)).not.toMatch(/sk-ant-api03-SECRET|\/home\/x/);
    expect(served.server.child.exitCode).toBeNull();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('kept its log free of the secret the agent printed (read once the server has stopped and written every line)', async () => {
    await served.stop();
    expect(served.server.output()).toContain('"msg":"request completed"');
    expect(served.server.output()).not.toContain('sk-ant-api03-SECRETSECRET');
  });
});
