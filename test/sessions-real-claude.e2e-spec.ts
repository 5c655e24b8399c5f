import { FakeModelEnv, useFakeModelApi } from './support/fake-model-env';
import { realClis } from './support/real-clis';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The whole real chain, offline: the server → acpx → the Claude ACP adapter → the pinned claude
 * CLI → a fake Messages API on loopback (or the CLIs CLAUDE_BIN, ACPX_BIN and CLAUDE_ACP_BIN name).
 */
describe('/sessions through acpx, the Claude ACP adapter and the real claude CLI', () => {
  let fake: FakeModelEnv;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    fake = await useFakeModelApi();
    t = await startTestApp(realClis());
    token = await t.mintToken('agentic');
  });
  afterAll(async () => {
    await t.close();
    await fake.restore();
  });

  it('creates a session, answers a turn from the model, and closes', async () => {
    fake.api.replyWith('Hello from the fake model through ACP.');
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
      expect(JSON.stringify(fake.api.messageRequests.map((r) => r.body?.messages))).toContain('Say hello, please.');
    } finally {
      const closed = await t.http().delete(`/sessions/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(closed.body.status).toBe('closed');
    }
  });
});
