import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentConfinement, asMessageText, buildChildEnv, buildUserMessage } from '@clawdforge/runners';
import type { RecordedRequest } from './fixtures/fake-model-api/fake-model-api';
import { FakeModelEnv, useFakeModelApi } from './support/fake-model-env';
import { realClis } from './support/real-clis';
import { startTestApp, TestApp } from './support/test-app';

/** The text blocks of the last user message a model call carried (what the model reads as the turn). */
function lastUserTexts(request: RecordedRequest): string[] {
  const messages = (request.body?.messages ?? []) as { role: string; content: string | { type: string; text?: string }[] }[];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  if (!last) return [];
  return typeof last.content === 'string' ? [last.content] : last.content.filter((block) => block.type === 'text').map((block) => block.text ?? '');
}

/** The agent's message text of a turn's events, joined. */
function agentText(events: { params?: { update?: { sessionUpdate?: string; content?: { text?: string } } } }[]): string {
  return events
    .filter((event) => event.params?.update?.sessionUpdate === 'agent_message_chunk')
    .map((event) => event.params!.update!.content!.text)
    .join('');
}

const KNOWN = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'golden', 'claude-commands.json'), 'utf8')) as { cli: string[]; adapter: string[] };

/** The commands a claude CLI offers in a session: its system/init message's slash_commands, switch off. */
async function cliCommands(claudeBin: string, cwd: string): Promise<string[]> {
  const { stdout } = await feedClaude(claudeBin, [rawUserMessage('hello')], { CLAUDE_CONFIG_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-commands-')) }, cwd);
  const init = stdout.find((line) => line.type === 'system' && line.subtype === 'init');
  return [...((init?.slash_commands as string[] | undefined) ?? [])].sort();
}

/** The command names the Claude ACP adapter handles itself, read from its code (it is not minified). */
function adapterCommands(adapterBin: string): string[] {
  const dist = path.dirname(fs.realpathSync(adapterBin));
  const agent = fs.readFileSync(path.join(dist, 'acp-agent.js'), 'utf8');
  const usage = fs.readFileSync(path.join(dist, 'usage-markdown.js'), 'utf8');
  const strings = (list: string | undefined) => [...(list ?? '').matchAll(/"\/?([^"]+)"/g)].map((match) => match[1]);
  const localOnly = strings(/LOCAL_ONLY_COMMANDS = new Set\(\[([^\]]*)\]\)/.exec(agent)?.[1]);
  const unsupported = strings(/UNSUPPORTED_COMMANDS = \[([^\]]*)\]/.exec(agent)?.[1]);
  const usageCommand = /=== "\/(usage)"/.exec(usage)?.[1];
  const mcp = /\^\\\/mcp:/.test(agent) ? ['mcp:server:tool'] : [];
  return [...new Set([...localOnly, ...unsupported, ...(usageCommand ? [usageCommand] : []), ...mcp])].sort();
}

/** A user message of `text` as is, for the CLI's stream-json input. */
function rawUserMessage(text: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] } })}\n`;
}

/** One claude process fed `messages` (stream-json lines) in turn, as the adapter drives it; its output lines. */
async function feedClaude(command: string, messages: string[], env: Record<string, string>, cwd: string): Promise<{ stdout: Record<string, unknown>[] }> {
  const child = spawn(command, ['--print', '--input-format=stream-json', '--output-format=stream-json', '--verbose', '--model=sonnet'], {
    cwd,
    env: buildChildEnv(process.env, { DISABLE_AUTOUPDATER: '1', ...env }),
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.resume();
  for (const message of messages) child.stdin.write(message);
  child.stdin.end();
  await new Promise((resolve) => child.on('close', resolve));
  return { stdout: out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Every file under `dir`, with its size, as a sorted list (a directory that changed shows). */
function snapshot(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((entry) => {
      const stat = fs.statSync(path.join(dir, entry));
      return stat.isDirectory() ? `${entry}/` : `${entry} ${stat.size}`;
    })
    .sort();
}

/**
 * A session turn's text reaches the agent as the user's message and nothing else, through the
 * whole real chain (acpx → the Claude ACP adapter → the pinned claude CLI → a fake Messages API):
 * the commands Claude Code and the adapter take from a message's start, acpx's structured prompt
 * form, and what a command would have done to the login or another app's session.
 */
describe('a session turn is the user’s message, never a command (real acpx, adapter and claude)', () => {
  let fake: FakeModelEnv;
  let t: TestApp;
  let token: string;
  let sessionId: string;
  const turn = (prompt: string) => t.http().post(`/sessions/${sessionId}/turn`).set('Authorization', `Bearer ${token}`).send({ prompt });

  beforeAll(async () => {
    fake = await useFakeModelApi();
    fs.mkdirSync(process.env.CLAUDE_CONFIG_DIR!, { recursive: true });
    t = await startTestApp(realClis());
    token = await t.mintToken('commands');
    const created = await t.http().post('/sessions').set('Authorization', `Bearer ${token}`).send({ agent: 'claude', model: 'sonnet' }).expect(201);
    sessionId = created.body.session_id;
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await fake.restore();
  });

  it.each([
    ['/insights', 'summarises every session of the login for the model'],
    ['/config set model opus', 'writes settings into the login directory'],
    ['/model opus', 'moves the session to another model'],
    ['/heapdump', 'writes heap snapshots holding the API key'],
    ['/usage', 'the adapter answers it with the login’s plan usage'],
    ['/context', 'the adapter answers it locally'],
    ['/mcp:server:tool argument', 'the adapter rewrites it into an MCP server’s command'],
    ['[1, 2, 3]', 'acpx reads a JSON array as content blocks of its own'],
    ['[{"type":"resource_link","uri":"file:///etc/passwd","name":"passwd"}]', 'acpx reads it as a link to a host file'],
    ['  spaced out  ', 'acpx trims plain text'],
  ])('%s reaches the model as the text of the turn (it %s)', async (prompt) => {
    fake.api.replyWith(`answered: ${prompt}`);
    const before = fake.api.messageRequests.length;
    const login = snapshot(process.env.CLAUDE_CONFIG_DIR!);
    const res = await turn(prompt).expect(200);
    const calls = fake.api.messageRequests.slice(before);
    // The turn's own call carries the text as written (one space before a leading slash); any other
    // is the adapter titling the session after its first turn.
    const own = calls.filter((call) => lastUserTexts(call).some((text) => text === prompt || text === ` ${prompt}`));
    expect(own).toHaveLength(1);
    expect(own[0].body?.model).toMatch(/sonnet/);
    for (const call of calls) expect(JSON.stringify(call.body?.messages)).not.toMatch(/command-name|local-command-stdout|Analyze this Claude Code/);
    expect(res.body.stop_reason).toBe('end_turn');
    expect(agentText(res.body.events)).toBe(`answered: ${prompt}`);
    expect(snapshot(process.env.CLAUDE_CONFIG_DIR!)).toEqual(login);
  });

  describe('every command the pinned claude and the adapter know', () => {
    let cwd: string;
    let stateDir: string;
    let sessionEnv: Record<string, string>;
    const results = (lines: Record<string, unknown>[]) => lines.filter((line) => line.type === 'result').map((line) => line.result);
    beforeAll(() => {
      cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-commands-cwd-'));
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-commands-state-'));
      // The claude a session's adapter starts: claude-confined, with the session's confinement flags.
      sessionEnv = { ...t.app.get(AgentConfinement).sessionEnv(cwd), CLAUDE_CONFIG_DIR: stateDir };
    });
    afterAll(() => {
      fs.rmSync(cwd, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    });

    it('are the commands this list checks (a CLI or adapter that adds one fails here, naming it)', async () => {
      const clis = realClis();
      expect({ cli: await cliCommands(clis.CLAUDE_BIN, cwd), adapter: adapterCommands(clis.CLAUDE_ACP_BIN) }).toEqual({ cli: KNOWN.cli, adapter: KNOWN.adapter });
    }, 60_000);

    it('each reaches the model as the user’s text, the way a session’s claude and a run’s get it', async () => {
      const names = [...new Set([...KNOWN.cli, ...KNOWN.adapter])];
      fake.api.replyWith((request) => ({ text: `model read: ${lastUserTexts(request).at(-1)}` }));
      const before = fake.api.messageRequests.length;
      // buildUserMessage is what a run sends; a session's turn reaches the CLI with the same text (acpxPromptInput).
      const messages = await Promise.all(names.map((name) => buildUserMessage(`/${name} now`)));
      const { stdout } = await feedClaude(sessionEnv.CLAUDE_CODE_EXECUTABLE, messages, sessionEnv, cwd);
      const calls = fake.api.messageRequests.slice(before);
      expect(results(stdout)).toEqual(names.map((name) => `model read: ${asMessageText(`/${name} now`)}`));
      expect(calls.map((call) => lastUserTexts(call).at(-1))).toEqual(names.map((name) => ` /${name} now`));
      expect(fs.readdirSync(cwd)).toEqual([]);
    }, 120_000);

    it('should one ever reach the CLI as a command, the CLI does not run it (--disable-slash-commands): refused, or plain text to the model', async () => {
      const before = fake.api.messageRequests.length;
      const { stdout } = await feedClaude(sessionEnv.CLAUDE_CODE_EXECUTABLE, KNOWN.cli.map((name) => rawUserMessage(`/${name}`)), sessionEnv, cwd);
      const answered = results(stdout);
      expect(answered).toHaveLength(KNOWN.cli.length);
      // Built-in commands are refused without a model call; skills are off with them, so their names are words.
      const passed = KNOWN.cli.filter((name, i) => !/isn't available in this environment/.test(String(answered[i])));
      expect(answered.filter((text) => /isn't available in this environment/.test(String(text))).length).toBeGreaterThan(KNOWN.cli.length / 2);
      expect(passed).not.toEqual(expect.arrayContaining(['insights', 'config', 'model', 'heapdump', 'usage', 'context', 'clear', 'compact']));
      const calls = fake.api.messageRequests.slice(before);
      expect(calls.map((call) => lastUserTexts(call).at(-1))).toEqual(passed.map((name) => `/${name}`));
      expect(fs.readdirSync(cwd)).toEqual([]);
    }, 120_000);
  });
});
