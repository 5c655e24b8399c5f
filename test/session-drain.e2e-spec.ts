import * as path from 'node:path';
import { FAKE_CLI_DIR, startTestApp, TestApp } from './support/test-app';

const update = (text: string) => JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } } } });
const result = JSON.stringify({ jsonrpc: '2.0', id: 3, result: { stopReason: 'end_turn' } });

/**
 * acpx lingers about a second after the agent's prompt result before it exits. The turn is
 * answered at the result; the session stays taken until acpx exits, and what arrives meanwhile is
 * kept (fake acpx at the process boundary: it prints the prompt's lines, `sleep:<ms>` pausing).
 */
describe('a turn answered before acpx exits', () => {
  let t: TestApp;
  let token: string;
  let session: string;
  const get = () => t.http().get(`/sessions/${session}`).set('Authorization', `Bearer ${token}`).expect(200);
  const turn = (prompt: string) => t.http().post(`/sessions/${session}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt });

  beforeAll(async () => {
    t = await startTestApp({ ACPX_BIN: path.join(FAKE_CLI_DIR, 'acpx'), RUN_WARM_POOL: '0' });
    token = await t.mintToken('drain');
    session = (await t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({}).expect(201)).body.session_id;
  });
  afterAll(() => t.close());

  it('answers at the prompt result, not when acpx exits', async () => {
    const started = Date.now();
    const res = await turn([update('quick'), result, 'sleep:1500'].join('\n')).expect(200);
    expect(Date.now() - started).toBeLessThan(1200);
    expect(res.body).toMatchObject({ ok: true, stop_reason: 'end_turn', late_events: [] });
    expect(res.body.events).toHaveLength(2);
    // The session is not busy to a reader, and the next turn waits for acpx rather than failing.
    expect((await get()).body.busy).toBe(false);
    await turn(result).expect(200);
  });

  it('keeps what the agent sent after the answer: on GET, then handed to the next turn once', async () => {
    await turn([result, 'sleep:300', update('straggler')].join('\n')).expect(200);
    expect(await eventualBody(get, (body) => body.late_events.length === 1)).toBe(true);
    expect((await get()).body.late_events[0].params.update.content.text).toBe('straggler');
    const next = await turn(result).expect(200);
    expect(next.body.late_events).toHaveLength(1);
    expect(next.body.late_events[0].params.update.content.text).toBe('straggler');
    expect(next.body.events).toHaveLength(1);
    expect((await get()).body.late_events).toEqual([]);
  });

  it('answers 409 session_busy to a turn while one is still running', async () => {
    const first = turn([update('slow'), 'sleep:1500', result].join('\n')).then((res) => res);
    expect(await eventualBody(get, (body) => body.busy)).toBe(true);
    const second = await turn(result);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('session_busy');
    expect((await first).status).toBe(200);
  });
});

interface SessionBody {
  busy: boolean;
  late_events: unknown[];
}

/** Polls GET /sessions/:id until `check` holds (5 s at most). */
async function eventualBody(get: () => Promise<{ body: SessionBody }>, check: (body: SessionBody) => boolean): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (check((await get()).body)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
