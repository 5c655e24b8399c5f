/**
 * `npm run build && npx ts-node --transpile-only bench/tool-loop.bench.ts`: a three-step tool loop (the model calls a tool three times, one after the
 * other, then answers) against the fake model, measured three ways on this machine: through the
 * built server with the run parked between steps, through it with every continuation replayed
 * (sent by another token, so no parked run is found), and a direct `claude -p` whose tool is an MCP
 * tool answered at once by a local server (what a parked loop costs besides the HTTP round trips).
 * Prints the wall time of each loop and the medians.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { RecordedRequest } from '../test/fixtures/fake-model-api/fake-model-api';
import { messagesText, startToolServer, toolResults } from '../test/support/tool-server';

const STEPS = 3;
const LOOPS = Number(process.env.TOOL_BENCH_LOOPS ?? 5);
const CLAUDE = path.join(__dirname, '..', 'node_modules', '.bin', 'claude');
const LOOKUP_SCHEMA = { type: 'object', properties: { step: { type: 'number' } } };
const tool: ChatCompletionTool = { type: 'function', function: { name: 'lookup', parameters: LOOKUP_SCHEMA } };

/** Results seen so far, whether as tool_result blocks (one process) or in a replayed transcript. */
function stepsDone(request: RecordedRequest): number {
  return Math.max(toolResults(request).length, (messagesText(request).match(/<\/tool_result>/g) ?? []).length);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One loop; each request by the next of `clients` in turn (two tokens: each continuation reaches a run parked by the other, so it is replayed). */
async function loop(clients: OpenAI[]): Promise<{ ms: number; resumes: string[] }> {
  const started = performance.now();
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Look up three steps.' }];
  const resumes: string[] = [];
  for (let i = 0; ; i++) {
    const client = clients[i % clients.length];
    const { data, response } = await client.chat.completions.create({ model: 'sonnet', messages, tools: [tool] }).withResponse();
    const resume = response.headers.get('x-clawdforge-tool-resume');
    if (resume) resumes.push(resume);
    const message = data.choices[0].message;
    if (!message.tool_calls?.length) break;
    messages.push(message, ...message.tool_calls.map((call): ChatCompletionMessageParam => ({ role: 'tool', tool_call_id: call.id, content: `result of ${call.id}` })));
  }
  return { ms: performance.now() - started, resumes };
}

/** A Streamable HTTP MCP server whose one tool answers at once. */
async function instantMcp(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const message = JSON.parse(raw) as { id?: number; method: string; params?: { protocolVersion?: string } };
    if (message.id === undefined) return void res.writeHead(202).end();
    const reply = (result: unknown) => ({ jsonrpc: '2.0', id: message.id, result });
    let body: unknown;
    if (message.method === 'initialize') body = reply({ protocolVersion: message.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'bench', version: '1' } });
    else if (message.method === 'tools/list') body = reply({ tools: [{ name: 'lookup', inputSchema: LOOKUP_SCHEMA }] });
    else if (message.method === 'tools/call') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return void res.end(`event: message\ndata: ${JSON.stringify(reply({ content: [{ type: 'text', text: 'result' }] }))}\n\n`);
    } else body = { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'no' } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => server.close() };
}

async function direct(apiUrl: string, mcpUrl: string, home: string): Promise<number> {
  const args = ['-p', '--input-format=stream-json', '--output-format=stream-json', '--verbose', '--model=sonnet', '--no-session-persistence', '--setting-sources=', '--permission-mode=dontAsk', '--tools='];
  args.push('--strict-mcp-config', `--mcp-config=${JSON.stringify({ mcpServers: { fn: { type: 'http', url: mcpUrl } } })}`, '--allowedTools=mcp__fn__*');
  const started = performance.now();
  const child = spawn(CLAUDE, args, {
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home, ANTHROPIC_BASE_URL: apiUrl, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', CLAUDE_CONFIG_DIR: path.join(home, '.claude'), ENABLE_TOOL_SEARCH: 'false', IS_SANDBOX: '1' },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end(`${JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'Look up three steps.' }] } })}\n`);
  await new Promise((resolve) => child.once('close', resolve));
  return performance.now() - started;
}

async function main(): Promise<void> {
  // Runs left parked by the replayed loops end soon, so they hold no place for long.
  const s = await startToolServer({ TOOL_PARK_SECS: '2', TOOL_RUNS_MAX_PER_TOKEN: '16' });
  const mcp = await instantMcp();
  try {
    s.api.replyWith((request) => (stepsDone(request) >= STEPS ? { text: 'All three looked up.' } : { clientTool: { name: 'lookup', input: { step: stepsDone(request) + 1 } } }));
    const client = (key: string) => new OpenAI({ baseURL: `${s.base}/v1`, apiKey: key, maxRetries: 0 });
    const owner = client(await s.mint('bench-owner'));
    const stranger = client(await s.mint('bench-stranger'));
    const figures: Record<string, number[]> = { parked: [], replayed: [], direct: [] };
    for (let i = 0; i < LOOPS; i++) {
      const parked = await loop([owner]);
      if (parked.resumes.some((r) => r !== 'parked')) throw new Error(`a parked loop was served ${parked.resumes.join(', ')}`);
      figures.parked.push(parked.ms);
      const replayed = await loop([owner, stranger]);
      if (replayed.resumes.some((r) => r !== 'replayed')) throw new Error(`a replayed loop was served ${replayed.resumes.join(', ')}`);
      figures.replayed.push(replayed.ms);
      await s.settled(15_000);
      figures.direct.push(await direct(s.api.url, mcp.url, os.tmpdir()));
    }
    console.log(`three-step tool loop, ${LOOPS} loops each, ${os.cpus().length} cores (${os.loadavg()[0].toFixed(1)} load)`);
    for (const [name, values] of Object.entries(figures)) console.log(`${name.padEnd(9)} median ${median(values).toFixed(0)} ms   each: ${values.map((v) => v.toFixed(0)).join(', ')}`);
    console.log(`parked / direct: ${(median(figures.parked) / median(figures.direct)).toFixed(2)}x   replayed / parked: ${(median(figures.replayed) / median(figures.parked)).toFixed(2)}x`);
  } finally {
    mcp.close();
    await s.close();
  }
}

void main();
