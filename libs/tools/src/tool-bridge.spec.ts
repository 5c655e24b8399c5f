import { configFrom } from '@clawdforge/core/testing';
import type { McpEndpoint, McpRunHandler } from './mcp-endpoint';
import type { McpToolResult } from './mcp-messages';
import type { ParkDirectory } from './park-directory';
import { ToolBridge } from './tool-bridge.service';
import { ToolCatalog } from './tool-catalog';
import type { ToolRun } from './tool-run';

/** The endpoint as the bridge uses it: URLs, and the handlers the CLI would reach. */
class FakeEndpoint {
  readonly handlers = new Map<string, McpRunHandler>();
  urlFor(id: string): Promise<string> {
    return Promise.resolve(`http://127.0.0.1:1/mcp/${id}`);
  }
  register(id: string, _secret: string, handler: McpRunHandler): void {
    this.handlers.set(id, handler);
  }
  unregister(id: string): void {
    this.handlers.delete(id);
  }
}

/** Where parked runs are recorded for the other instances, kept in memory: what is parked here now, by call id. */
class FakeDirectory {
  readonly parked = new Map<string, string>();
  record(owner: string, ids: string[]): Promise<void> {
    for (const id of ids) this.parked.set(id, owner);
    return Promise.resolve();
  }
  forget(ids: string[]): void {
    for (const id of ids) this.parked.delete(id);
  }
  holder(): Promise<string | null> {
    return Promise.resolve(null);
  }
}

const catalog = new ToolCatalog(
  [
    { name: 'get.weather', inputSchema: { type: 'object' } },
    { name: 'get_time', inputSchema: { type: 'object' } },
  ],
  { name: (i) => `tools[${i}].name`, schema: (i) => `tools[${i}].input_schema` },
);
const usage = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, cache_creation_input_tokens: null, cache_read_input_tokens: null });

describe('ToolBridge and ToolRun', () => {
  let endpoint: FakeEndpoint;
  let bridge: ToolBridge;
  let directory: FakeDirectory;
  const open = (owner = 'token-a', env: Record<string, string> = {}) => {
    directory = new FakeDirectory();
    bridge = new ToolBridge(configFrom({ TOOL_PARK_SECS: '30', ...env }), endpoint as unknown as McpEndpoint, directory as unknown as ParkDirectory);
    return bridge.open(owner, catalog);
  };
  /** What the CLI does when the model calls two tools: the calls reach the server (the first before the message ends), then the message ends. */
  const callTwo = (run: ToolRun) => {
    const answered: Record<string, McpToolResult> = {};
    const respond = (id: string) => (result: McpToolResult) => (answered[id] = result);
    run.onEvent({ type: 'tool_servers', servers: [{ name: 'fn', status: 'connected' }] });
    run.onEvent({ type: 'delta', text: 'Let me look.' });
    run.call({ name: 'get_weather', arguments: { city: 'Paris' }, toolUseId: 'toolu_1' }, respond('toolu_1'), new AbortController().signal);
    run.onEvent({ type: 'usage', usage: usage(21, 9) });
    run.onEvent({
      type: 'tool_calls',
      calls: [
        { id: 'toolu_1', name: 'mcp__fn__get_weather', input: { city: 'Paris' } },
        { id: 'toolu_2', name: 'mcp__fn__get_time', input: {} },
      ],
    });
    run.call({ name: 'get_time', arguments: {}, toolUseId: 'toolu_2' }, respond('toolu_2'), new AbortController().signal);
    return answered;
  };

  beforeEach(() => {
    endpoint = new FakeEndpoint();
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  it('answers with every call of the message by the client’s names, parks, and hands the results to the waiting calls when resumed', async () => {
    const run = await open();
    expect(run.launch).toEqual({ server: 'fn', url: `http://127.0.0.1:1/mcp/${run.id}`, secret: expect.any(String), callTimeoutMs: 90_000 });
    expect(endpoint.handlers.get(run.id)).toBe(run);
    const answered = callTwo(run);
    await expect(run.nextStep()).resolves.toEqual({
      kind: 'tool_calls',
      text: 'Let me look.',
      usage: usage(21, 9),
      calls: [
        { id: 'toolu_1', name: 'get.weather', arguments: { city: 'Paris' } },
        { id: 'toolu_2', name: 'get_time', arguments: {} },
      ],
    });
    await bridge.park(run, 'history-1');
    expect([bridge.parked, bridge.running]).toEqual([1, 0]);
    expect(answered).toEqual({});

    expect(bridge.claim('token-a', ['toolu_2', 'toolu_1'], 'history-1')).toBe(run);
    expect([bridge.parked, bridge.running]).toEqual([0, 1]);
    run.resume([
      { id: 'toolu_1', text: 'sunny', isError: false },
      { id: 'toolu_2', text: 'no clock', isError: true },
    ]);
    expect(answered).toEqual({ toolu_1: { text: 'sunny', isError: false }, toolu_2: { text: 'no clock', isError: true } });
    // The CLI hands the client's error result to the model: that is no failure of the run.
    run.onEvent({ type: 'tool_result', id: 'toolu_2', isError: true });
    run.onEvent({ type: 'delta', text: 'Sunny.' });
    run.onEvent({ type: 'usage', usage: usage(30, 4) });
    run.ended();
    await expect(run.nextStep()).resolves.toEqual({ kind: 'ended', text: 'Sunny.', usage: usage(30, 4) });
    expect(run.totalUsage).toEqual(usage(51, 13));
    expect(run.failure).toBeNull();
    bridge.close(run);
    expect(endpoint.handlers.size).toBe(0);
  });

  it('answers a call at once when its result came before it', async () => {
    const run = await open();
    run.onEvent({ type: 'tool_calls', calls: [{ id: 'toolu_9', name: 'mcp__fn__get_time', input: {} }] });
    await bridge.park(run, 'h');
    bridge.claim('token-a', ['toolu_9'], 'h');
    run.resume([{ id: 'toolu_9', text: 'noon', isError: false }]);
    const respond = jest.fn();
    run.call({ name: 'get_time', arguments: {}, toolUseId: 'toolu_9' }, respond, new AbortController().signal);
    expect(respond).toHaveBeenCalledWith({ text: 'noon', isError: false });
  });

  it('finds a parked run only for its owner, its exact calls and its history; a changed history stops it', async () => {
    const run = await open();
    callTwo(run);
    await run.nextStep();
    await bridge.park(run, 'history-1');
    // Recorded for the other instances while parked; forgotten once claimed.
    expect([...directory.parked]).toEqual([
      ['toolu_1', 'token-a'],
      ['toolu_2', 'token-a'],
    ]);
    expect(bridge.claim('token-b', ['toolu_1', 'toolu_2'], 'history-1')).toBeUndefined();
    expect(bridge.claim('token-a', ['toolu_1'], 'history-1')).toBeUndefined();
    expect(bridge.claim('token-a', ['toolu_1', 'toolu_2', 'toolu_3'], 'history-1')).toBeUndefined();
    expect(run.signal.aborted).toBe(false);
    expect(bridge.claim('token-a', ['toolu_1', 'toolu_2'], 'history-2')).toBeUndefined();
    expect(run.signal.aborted).toBe(true);
    expect(run.stopped).toBe('replaced');
    expect(directory.parked.size).toBe(0);
    expect(bridge.claim('token-a', ['toolu_1', 'toolu_2'], 'history-1')).toBeUndefined();
  });

  it('stops a run parked longer than TOOL_PARK_SECS', async () => {
    const run = await open();
    callTwo(run);
    await run.nextStep();
    await bridge.park(run, 'h');
    jest.advanceTimersByTime(29_999);
    expect(run.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect([run.signal.aborted, run.stopped, bridge.parked, directory.parked.size]).toEqual([true, 'expired', 0, 0]);
    expect(bridge.claim('token-a', ['toolu_1', 'toolu_2'], 'h')).toBeUndefined();
  });

  it('parks a run again after a refused continuation only for the time it had left', async () => {
    const run = await open();
    callTwo(run);
    await run.nextStep();
    await bridge.park(run, 'h');
    jest.advanceTimersByTime(20_000);
    expect(bridge.claim('token-a', ['toolu_1', 'toolu_2'], 'h')).toBe(run);
    // The continuation was refused (a rate limit, say): parked again, within its first 30 s.
    await bridge.park(run, 'h', true);
    jest.advanceTimersByTime(9_999);
    expect(run.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect([run.signal.aborted, run.stopped]).toEqual([true, 'expired']);
  });

  it.each([
    ['a bridge the CLI could not connect to', (run: ToolRun) => run.onEvent({ type: 'tool_servers', servers: [{ name: 'fn', status: 'failed' }] }), 'could not reach'],
    ['a call the CLI gave up on', (run: ToolRun) => run.onEvent({ type: 'tool_result', id: 'toolu_1', isError: true }), 'gave up on the tool call toolu_1'],
    ['a call without its id', (run: ToolRun) => run.call({ name: 'get_time', arguments: {}, toolUseId: undefined }, jest.fn(), new AbortController().signal), 'without its tool-use id'],
    ['a tool that is not the client’s', (run: ToolRun) => run.onEvent({ type: 'tool_calls', calls: [{ id: 't', name: 'Bash', input: {} }] }), 'not one of the client'],
  ])('fails the run on %s, never a quiet success', async (_what, happen, said) => {
    const run = await open();
    happen(run);
    expect(run.failure?.message).toContain(said);
    expect(run.failure).toMatchObject({ code: 'cli_failed' });
    expect([run.signal.aborted, run.stopped]).toEqual([true, 'failed']);
  });

  it('refuses a run past TOOL_RUNS_MAX_PER_TOKEN and TOOL_RUNS_MAX, and takes one again when a run closes', async () => {
    const first = await open('token-a', { TOOL_RUNS_MAX: '3', TOOL_RUNS_MAX_PER_TOKEN: '2' });
    await bridge.open('token-a', catalog);
    await expect(bridge.open('token-a', catalog)).rejects.toMatchObject({ code: 'too_many_requests', status: 429, headers: { 'Retry-After': '30' } });
    await bridge.open('token-b', catalog);
    await expect(bridge.open('token-c', catalog)).rejects.toMatchObject({ code: 'too_many_requests', message: expect.stringContaining('TOOL_RUNS_MAX (3)') });
    bridge.close(first);
    await expect(bridge.open('token-a', catalog)).resolves.toBeDefined();
  });

  it('stops every run at shutdown', async () => {
    const run = await open();
    bridge.onApplicationShutdown();
    expect(run.stopped).toBe('shutdown');
  });
});
