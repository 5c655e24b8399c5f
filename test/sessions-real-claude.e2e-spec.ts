import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeModelApi } from './fixtures/fake-model-api/fake-model-api';
import { startTestApp, TestApp } from './support/test-app';

const BIN = path.join(__dirname, '..', 'node_modules', '.bin');

/**
 * The whole real chain, offline: the server → acpx → the Claude ACP adapter → the pinned claude
 * CLI → a fake Messages API on loopback.
 */
describe('/sessions through acpx, the Claude ACP adapter and the real claude CLI', () => {
  let api: FakeModelApi;
  let t: TestApp;
  let token: string;
  let home: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    api = await FakeModelApi.start();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-acp-home-'));
    Object.assign(process.env, {
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
      HOME: home,
      // The adapter refuses to run as root outside a sandbox; this suite may run as root in CI.
      IS_SANDBOX: '1',
    });
    t = await startTestApp({ CLAUDE_BIN: path.join(BIN, 'claude'), ACPX_BIN: path.join(BIN, 'acpx') });
    token = await t.mintToken('agentic');
  });
  afterAll(async () => {
    await t.close();
    await api.close();
    process.env = saved;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('creates a session, answers a turn from the model, and closes', async () => {
    api.replyWith('Hello from the fake model through ACP.');
    const created = await t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'claude', model: 'sonnet' }).expect(201);
    const id = created.body.session_id;
    try {
      const turn = await t.http().post(`/sessions/${id}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt: 'Say hello, please.' }).expect(200);
      expect(turn.body).toMatchObject({ ok: true, session_id: id, turn_index: 1, stop_reason: 'end_turn' });
      const chunks = (turn.body.events as { params?: { update?: { sessionUpdate?: string; content?: { text?: string } } } }[])
        .filter((e) => e.params?.update?.sessionUpdate === 'agent_message_chunk')
        .map((e) => e.params!.update!.content!.text)
        .join('');
      expect(chunks).toBe('Hello from the fake model through ACP.');
      expect(JSON.stringify(api.messageRequests.map((r) => r.body?.messages))).toContain('Say hello, please.');
    } finally {
      const closed = await t.http().delete(`/sessions/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(closed.body.status).toBe('closed');
    }
  });
});
