/**
 * The server the crate's tests run against, started as the end-to-end specs start it: the built
 * `npm start` on a free loopback port with a fresh HOME and DATA_DIR, the real pinned claude, acpx
 * and Claude ACP adapter, and the fake Messages API on loopback as their model.
 *
 * Each test binary (tests/*.rs) spawns this once (tests/common/mod.rs) and reads one JSON line from
 * its stdout: {"url","admin_token","data_dir"}. It stops the server and removes its directories when
 * its stdin closes, which the operating system does when the test binary exits, however it exits.
 *
 * The model answers by the prompt (the last text block the CLI sends), so tests running side by side
 * need no shared state: `reply: <text>` answers <text>; `system?` answers the system prompt's
 * blocks; `files?` answers the user message's blocks (text as it is, others as [type]); `schema:
 * <json>` answers through the StructuredOutput tool when the CLI offers it; anything else answers
 * `You said: <prompt>`. In front of the fake API, a prompt holding `[hold]` gets no answer until
 * its caller goes (a run that would never end), and one holding `[drip]` gets its stream events
 * 150 ms apart (a model writing slowly); the markers are not part of the answer.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { FakeModelApi, RecordedRequest, Reply } from '../../../../test/fixtures/fake-model-api/fake-model-api';
import { assertBuilt, freePort, npmStart, waitForHealth } from '../../../../test/support/built-server';
import { realClis } from '../../../../test/support/real-clis';
import { ADMIN_TOKEN, makeDataDir } from '../../../../test/support/test-env';

type Block = { type: string; text?: string };
type Message = { role: string; content: string | Block[] };

function blocksOf(message: Message | undefined): Block[] {
  if (!message) return [];
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

function lastUserMessage(request: RecordedRequest): Message | undefined {
  return ((request.body?.messages ?? []) as Message[]).filter((message) => message.role === 'user').at(-1);
}

/** The user's own words: the last text block that is not one of the CLI's reminders. */
function promptOf(request: RecordedRequest): string {
  const texts = blocksOf(lastUserMessage(request)).filter((block) => block.type === 'text' && !block.text?.startsWith('<system-reminder>'));
  return texts.at(-1)?.text ?? '';
}

function scriptedReply(request: RecordedRequest): Reply {
  const prompt = promptOf(request).replace(/\s*\[(hold|drip)\]\s*/g, ' ').trim();
  const reply = /^reply: ([\s\S]*)$/.exec(prompt);
  if (reply) return { text: reply[1] };
  if (prompt.startsWith('system?')) {
    return { text: ((request.body?.system ?? []) as Block[]).map((block) => block.text ?? '').join('\n---\n') };
  }
  if (prompt.startsWith('files?')) {
    return { text: blocksOf(lastUserMessage(request)).map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('\n') };
  }
  const schema = /^schema: ([\s\S]*)$/.exec(prompt);
  if (schema) {
    const offered = ((request.body?.tools ?? []) as { name: string }[]).some((tool) => tool.name === 'StructuredOutput');
    const answered = JSON.stringify(request.body?.messages).includes('tool_result');
    return offered && !answered ? { toolUse: { name: 'StructuredOutput', input: JSON.parse(schema[1]) } } : { text: 'done' };
  }
  return { text: `You said: ${prompt}` };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pass-through to the fake API that holds or slows the answers whose request carries a marker. */
async function startFront(target: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      let gone = false;
      res.on('close', () => (gone = true));
      if (text.includes('[hold]')) {
        for (let waited = 0; !gone && waited < 120_000; waited += 100) await sleep(100);
        if (!res.writableEnded) res.end();
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>;
      const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: body.length > 0 ? body : undefined });
      res.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([name]) => name !== 'content-length' && name !== 'transfer-encoding')));
      if (!upstream.body) return void res.end();
      const drip = text.includes('[drip]');
      let pending = '';
      for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
        if (gone) return;
        if (!drip) {
          res.write(chunk);
          continue;
        }
        pending += Buffer.from(chunk).toString('utf8');
        let end: number;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          res.write(pending.slice(0, end + 2));
          pending = pending.slice(end + 2);
          await sleep(150);
        }
      }
      res.end(pending);
    })().catch((error: Error) => {
      process.stderr.write(`clients/rust harness: the model front failed: ${error.message}\n`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function main(): Promise<void> {
  assertBuilt();
  const api = await FakeModelApi.start();
  api.replyWith(scriptedReply);
  const front = await startFront(api.url);
  const home = makeDataDir();
  const loginDir = path.join(home, '.claude');
  fs.mkdirSync(loginDir);
  const port = await freePort();
  const dataDir = path.join(home, 'data');
  const server = npmStart(home, {
    ...realClis(),
    ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CONFIG_DIR: loginDir,
    // The Claude ACP adapter refuses to run as root outside a sandbox; CI may run as root.
    IS_SANDBOX: '1',
    // No spare claude processes: every claude under DATA_DIR/runs is a run's own, which the
    // cancellation tests count; and none started ahead on a two-core machine.
    RUN_WARM_POOL: '0',
    // A token over its max_concurrent_runs is answered 429 queue_full at once, with Retry-After.
    RUN_QUEUE_MAX_PER_TOKEN: '0',
    // No acpx client started ahead for each open session: fewer processes on a two-core machine.
    SESSION_WARM_CLIENTS: '0',
  });
  try {
    // A loaded machine (the whole suite on two cores) can take a while to start node and Nest.
    await waitForHealth(port, server, 90_000);
  } catch (error) {
    server.stop('SIGKILL');
    throw error;
  }

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    server.stop();
    await server.exited;
    front.close();
    await api.close();
    fs.rmSync(home, { recursive: true, force: true });
    process.exit(code);
  };
  void server.exited.then(() => {
    if (stopping) return;
    process.stderr.write(`clients/rust harness: the server exited while the tests ran:\n${server.output()}\n`);
    void stop(1);
  });
  process.stdin.on('end', () => void stop(0));
  process.stdin.resume();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, admin_token: ADMIN_TOKEN, data_dir: dataDir })}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`clients/rust harness: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
