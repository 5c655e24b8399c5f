import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FakeModelApi, Reply, ToolUse } from '../../test/fixtures/fake-model-api/fake-model-api';
import { PNG_1X1, TEXT_NOTES } from '../../test/support/sample-files';
import type { TestApp } from '../../test/support/test-app';

export interface ScenarioContext {
  t: TestApp;
  api: FakeModelApi;
  token: string;
}

/**
 * One conversation with a real CLI through the server: what the server is asked and what the fake
 * model answers. Its output is recorded from the one `claude -p` (cli `claude`) or `acpx prompt`
 * (cli `acpx`) the server starts for it. `specs` names the real-CLI e2e tests whose outcome rests
 * on this output, so `npm run compat` can show a failing test the first line whose shape changed.
 */
export interface Scenario {
  name: string;
  cli: 'claude' | 'acpx';
  specs?: RegExp;
  /** Server settings beyond the defaults. */
  env?: Record<string, string>;
  drive: (ctx: ScenarioContext) => Promise<void>;
}

const bearer = (token: string) => `Bearer ${token}`;

async function run(ctx: ScenarioContext, body: object, expected = 200): Promise<void> {
  const res = await ctx.t.http().post('/run').set('Authorization', bearer(ctx.token)).send(body);
  if (res.status !== expected) throw new Error(`POST /run answered ${res.status}, not ${expected}: ${res.text.slice(0, 300)}`);
}

async function newSession(ctx: ScenarioContext): Promise<string> {
  const res = await ctx.t.http().post('/sessions').set('Authorization', bearer(ctx.token)).send({ agent: 'claude', model: 'sonnet' });
  if (res.status !== 201) throw new Error(`POST /sessions answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.body.session_id as string;
}

/** One turn in a new session, closed after. */
async function turn(ctx: ScenarioContext, prompt: string, expected = 200, beforeTurn?: () => void): Promise<void> {
  const id = await newSession(ctx);
  try {
    beforeTurn?.();
    const res = await ctx.t.http().post(`/sessions/${id}/turn`).set('Authorization', bearer(ctx.token)).send({ prompt });
    if (res.status !== expected) throw new Error(`POST /sessions/:id/turn answered ${res.status}, not ${expected}: ${res.text.slice(0, 300)}`);
  } finally {
    await ctx.t.http().delete(`/sessions/${id}`).set('Authorization', bearer(ctx.token));
  }
}

/** Tool calls first, then a plain answer once their results are back. */
const toolsThenText =
  (toolUses: ToolUse[], text: string) =>
  (request: { body: Record<string, unknown> | null }): Reply =>
    JSON.stringify(request.body?.messages).includes('tool_result') ? { text } : { toolUses };

const OVERLOADED: Reply = { error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } };
const READ_OUTSIDE: ToolUse = { name: 'Read', input: { file_path: '/etc/hostname' } };

export const SCENARIOS: Scenario[] = [
  {
    name: 'claude-run',
    cli: 'claude',
    specs: /fenced JSON answer parsed|returns a plain answer|flag-like system prompt|model that never answers/,
    drive: async (ctx) => {
      ctx.api.replyWith('```json\n{"qty": 2, "unit": "cup", "food": "rice"}\n```');
      await run(ctx, { prompt: 'about 2 cups of cooked white rice', model: 'sonnet', system: 'You are a precise recipe parser.' });
    },
  },
  {
    name: 'claude-stream',
    cli: 'claude',
    specs: /streaming \(Server-Sent Events\)/,
    drive: async (ctx) => {
      ctx.api.replyWith(toolsThenText([READ_OUTSIDE], '{"qty": 2, "unit": "cup"}'));
      await run(ctx, { prompt: 'stream it', stream: true });
    },
  },
  {
    name: 'claude-attachments',
    cli: 'claude',
    specs: /uploaded images, PDFs and text/,
    drive: async (ctx) => {
      const upload = async (content: Buffer, name: string) =>
        (await ctx.t.http().post('/files').set('Authorization', bearer(ctx.token)).attach('file', content, name)).body.file_token as string;
      ctx.api.replyWith('seen');
      await run(ctx, { prompt: 'describe the files', files: [await upload(PNG_1X1, 'dot.png'), await upload(TEXT_NOTES, 'notes.txt')] });
    },
  },
  {
    name: 'claude-json-schema',
    cli: 'claude',
    specs: /json_schema/,
    drive: async (ctx) => {
      ctx.api.replyWith(toolsThenText([{ name: 'StructuredOutput', input: { qty: 3 } }], 'done'));
      await run(ctx, { prompt: 'how many?', json_schema: { type: 'object', properties: { qty: { type: 'number' } }, required: ['qty'] } });
    },
  },
  {
    name: 'claude-tool-refused',
    cli: 'claude',
    specs: /budget/,
    drive: async (ctx) => {
      ctx.api.replyWith(toolsThenText([READ_OUTSIDE], 'could not read it'));
      await run(ctx, { prompt: 'read /etc/hostname' });
    },
  },
  {
    name: 'claude-read-outside',
    cli: 'claude',
    env: { RUN_TOOLS: 'read-only' },
    drive: async (ctx) => {
      ctx.api.replyWith(toolsThenText([READ_OUTSIDE], 'could not read it'));
      await run(ctx, { prompt: 'read /etc/hostname' });
    },
  },
  {
    name: 'claude-client-tools',
    cli: 'claude',
    specs: /tool calling/,
    drive: async (ctx) => {
      // Two calls of the client's tools in one message, the run parked on them, then their results and the answer.
      ctx.api.replyWith((request) =>
        JSON.stringify(request.body?.messages).includes('tool_result') ? { text: 'Sunny, and noon.' } : { clientTools: [{ name: 'get_weather', input: { city: 'Paris' } }, { name: 'get_time', input: {} }] },
      );
      const tools = [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ];
      const messages: object[] = [{ role: 'user', content: 'Weather and time?' }];
      const chat = async (expected: string) => {
        const res = await ctx.t.http().post('/v1/chat/completions').set('Authorization', bearer(ctx.token)).send({ model: 'sonnet', messages, tools });
        const finish = res.body?.choices?.[0]?.finish_reason;
        if (res.status !== 200 || finish !== expected) throw new Error(`POST /v1/chat/completions answered ${res.status} (${finish}), not 200 (${expected}): ${res.text.slice(0, 300)}`);
        return res.body.choices[0].message as { tool_calls: { id: string }[] };
      };
      const called = await chat('tool_calls');
      messages.push(called, ...called.tool_calls.map((call, i) => ({ role: 'tool', tool_call_id: call.id, content: i === 0 ? 'sunny' : 'noon' })));
      await chat('stop');
    },
  },
  {
    name: 'claude-upstream-error',
    cli: 'claude',
    specs: /upstream error|error event|expired or refused login/,
    drive: async (ctx) => {
      ctx.api.next(OVERLOADED);
      await run(ctx, { prompt: 'hi' }, 502);
    },
  },
  {
    name: 'acpx-turn',
    cli: 'acpx',
    specs: /creates a session, answers a turn from the model/,
    drive: async (ctx) => {
      ctx.api.replyWith('Hello from the fake model through ACP.');
      await turn(ctx, 'Say hello, please.');
    },
  },
  {
    name: 'acpx-tool-refused',
    cli: 'acpx',
    drive: async (ctx) => {
      ctx.api.replyWith(toolsThenText([READ_OUTSIDE, { name: 'Write', input: { file_path: 'notes.txt', content: 'hello' } }], 'both refused'));
      await turn(ctx, 'read /etc/hostname, then write notes.txt');
    },
  },
  {
    name: 'acpx-permission',
    cli: 'acpx',
    env: { SESSION_PERMISSIONS: 'approve-all' },
    drive: async (ctx) => {
      ctx.api.replyWith(toolsThenText([{ name: 'Write', input: { file_path: 'notes.txt', content: 'hello' } }], 'written'));
      await turn(ctx, 'write notes.txt');
    },
  },
  {
    name: 'acpx-upstream-error',
    cli: 'acpx',
    drive: async (ctx) => {
      ctx.api.replyWith(() => OVERLOADED);
      try {
        await turn(ctx, 'hi', 502);
      } finally {
        ctx.api.replyWith('Hello from the fake model.');
      }
    },
  },
  {
    name: 'acpx-session-lost',
    cli: 'acpx',
    drive: async (ctx) => {
      // acpx's own error: its record of the session is gone.
      await turn(ctx, 'hi', 502, () => fs.rmSync(path.join(ctx.t.config.paths.acpxHome, '.acpx', 'sessions'), { recursive: true, force: true }));
    },
  },
];
