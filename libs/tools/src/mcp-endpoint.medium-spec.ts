import { McpEndpoint, McpRunHandler } from './mcp-endpoint';
import type { McpToolResult } from './mcp-messages';

/** The bridge's listener over real HTTP on loopback, as the CLI reaches it. */
describe('McpEndpoint', () => {
  const endpoint = new McpEndpoint();
  let respond: ((result: McpToolResult) => void) | undefined;
  let gone: AbortSignal | undefined;
  const handler: McpRunHandler = {
    tools: () => [{ name: 'get_time', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } }],
    call: (_call, answer, signal) => {
      respond = answer;
      gone = signal;
    },
  };
  const post = (url: string, body: unknown, secret = 'secret-1', init: RequestInit = {}) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(body), ...init });

  afterAll(() => endpoint.onApplicationShutdown());

  it('serves a run’s tools behind its bearer, and answers a tool call on an event stream held open until the result comes', async () => {
    const url = await endpoint.urlFor('run1');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp\/run1$/);
    endpoint.register('run1', 'secret-1', handler);
    const list = await post(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(list.headers.get('content-type')).toBe('application/json');
    expect(await list.json()).toMatchObject({ id: 1, result: { tools: [{ name: 'get_time' }] } });
    expect((await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);

    const call = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_time', arguments: {}, _meta: { 'claudecode/toolUseId': 'toolu_1' } } });
    expect(call.status).toBe(200);
    expect(call.headers.get('content-type')).toBe('text/event-stream');
    const body = call.text();
    await new Promise((resolve) => setTimeout(resolve, 50));
    respond!({ text: 'noon', isError: false });
    expect(await body).toBe(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'noon' }], isError: false } })}\n\n`);
  });

  it('tells the run when the CLI stops waiting for a call', async () => {
    const url = await endpoint.urlFor('run1');
    const aborted = new AbortController();
    const call = post(url, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_time', _meta: { 'claudecode/toolUseId': 'toolu_2' } } }, 'secret-1', { signal: aborted.signal });
    const res = await call;
    expect(res.status).toBe(200);
    aborted.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gone?.aborted).toBe(true);
  });

  it('answers 404 to a wrong bearer, an unknown run and an unregistered one, 405 to GET and 400 to what is not JSON', async () => {
    const url = await endpoint.urlFor('run1');
    expect((await post(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, 'secret-2')).status).toBe(404);
    expect((await post(url.replace('run1', 'run2'), { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(404);
    expect((await fetch(url, { headers: { authorization: 'Bearer secret-1' } })).status).toBe(405);
    expect((await fetch(url, { method: 'POST', headers: { authorization: 'Bearer secret-1' }, body: '{' })).status).toBe(400);
    endpoint.unregister('run1');
    expect((await post(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(404);
  });
});
