import { ClusterLink } from '@clawdforge/cluster';
import { RequestContext } from '@clawdforge/core';
import { configFrom } from '@clawdforge/core/testing';
import { tokenWith } from '@clawdforge/auth/testing';
import type { TokenPolicy } from '@clawdforge/auth';
import { ClaudeRunRequest, ClaudeRunResult, RunCancelledError, RunSpend, StoppedRunError } from '@clawdforge/runners';
import { claudeResult, FakeClaudeRunner, HeldCall } from '@clawdforge/runners/testing';
import { ToolBridge, ToolCatalog, ToolRun } from '@clawdforge/tools';
import { newUsagePolicy } from '@clawdforge/usage/testing';
import { GlobalRunSlots } from './global-run-slots';
import { RunQueue } from './run-queue';
import { ToolRunService } from './tool-run.service';

type BridgeDeps = ConstructorParameters<typeof ToolBridge>;

/** The loopback endpoint as the bridge uses it: a URL per run, and the runs the CLI would reach, by id. */
class FakeEndpoint {
  readonly runs = new Map<string, ToolRun>();
  urlFor(id: string): Promise<string> {
    return Promise.resolve(`http://127.0.0.1:1/mcp/${id}`);
  }
  register(id: string, _secret: string, run: ToolRun): void {
    this.runs.set(id, run);
  }
  unregister(id: string): void {
    this.runs.delete(id);
  }
}

/** Where parked runs are recorded for the other instances: nowhere, this being the only one. */
const noDirectory = { record: () => Promise.resolve(), forget: () => undefined, holder: () => Promise.resolve(null) };

/**
 * The real ToolRunService, with its real queue, policy and bridge, over a fake claude, a fake
 * endpoint and a ledger kept in memory, configured by `env` as an operator would.
 */
function newToolRunService(env: Record<string, string> = {}) {
  const config = configFrom(env);
  const claude = new FakeClaudeRunner();
  const queue = new RunQueue(config);
  const usage = newUsagePolicy();
  const endpoint = new FakeEndpoint();
  const bridge = new ToolBridge(config, endpoint as unknown as BridgeDeps[1], noDirectory as unknown as BridgeDeps[2]);
  const service = new ToolRunService(config, queue, new GlobalRunSlots(config, new ClusterLink(config)), claude, usage.policy, bridge);
  return { service, claude, queue, usage, endpoint, bridge };
}

const catalog = new ToolCatalog([{ name: 'get.weather', inputSchema: { type: 'object' } }], { name: (i) => `tools[${i}].name`, schema: (i) => `tools[${i}].input_schema` });
const usage = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
const alice = (policy: Partial<TokenPolicy> = {}) => tokenWith(policy, { id: 1, name: 'alice' });
const bob = (policy: Partial<TokenPolicy> = {}) => tokenWith(policy, { id: 2, name: 'bob' });
const settled = () => new Promise((resolve) => setImmediate(resolve));
const outcomeOf = (promise: Promise<unknown>) => promise.then(() => 'answered', (error: unknown) => error);
/** What an interrupted CLI prints on its way out: the run's cost and tokens so far. */
const spentSoFar: RunSpend = { costUsd: 0.004, usage: usage(30, 2) };

/** The CLI of a held run, stopped, says what it had spent, as claude does when interrupted. */
function stopsSpending(held: HeldCall<ClaudeRunRequest, ClaudeRunResult>, spent: RunSpend): void {
  const fail = held.fail;
  held.fail = (error) => fail(error instanceof StoppedRunError ? Object.assign(error, { spent }) : error);
}

describe('ToolRunService', () => {
  let under: ReturnType<typeof newToolRunService>;
  /** One request starting a run with the client's tools: its context, and the controller its client's going away aborts. */
  const start = (token = alice(), model?: string) => {
    const request = new RequestContext('POST');
    const client = new AbortController();
    const answer = under.service.start(token, { prompt: 'weather in Paris?', model, catalog }, request, client.signal, 'history-1');
    // A run the spec leaves alive is stopped after it; its answer is then nobody's to read.
    answer.catch(() => undefined);
    return { answer, request, client };
  };
  /** What the CLI does up to its first answer: reaches the gateway's tool server, says its model, uses tokens, then calls get.weather. */
  const callWeather = (cli: ClaudeRunRequest) => {
    cli.onEvent!({ type: 'tool_servers', servers: [{ name: 'fn', status: 'connected' }] });
    cli.onEvent!({ type: 'model', model: 'claude-sonnet-4-5' });
    cli.onEvent!({ type: 'delta', text: 'Let me look.' });
    cli.onEvent!({ type: 'usage', usage: usage(21, 9) });
    cli.onEvent!({ type: 'tool_calls', calls: [{ id: 'toolu_1', name: 'mcp__fn__get_weather', input: { city: 'Paris' } }] });
  };
  /** A run of `token` parked on its call of get.weather: the held CLI, the run, and its first request. */
  const parked = async (token = alice()) => {
    const first = start(token);
    const held = await under.claude.held.next();
    callWeather(held.request);
    await first.answer;
    const run = [...under.endpoint.runs.values()].at(-1)!;
    return { held, run, first };
  };
  const ledger = () => under.usage.ledger.rows;

  beforeEach(() => {
    under = newToolRunService({ MAX_CONCURRENT_RUNS: '1', MODEL_ALLOWLIST: 'sonnet,haiku' });
    under.claude.hold();
  });
  afterEach(async () => {
    // Whatever a spec left alive ends, so no segment's timer outlives it.
    under.bridge.onApplicationShutdown();
    await settled();
    jest.useRealTimers();
  });

  describe('start', () => {
    it('runs the CLI with the run’s tools in a queue slot, answers the calls by the client’s names, then parks without the slot', async () => {
      const { answer, request } = start();
      const held = await under.claude.held.next();
      const run = [...under.endpoint.runs.values()][0];
      expect(held.request).toMatchObject({ prompt: 'weather in Paris?', model: 'sonnet', clientTools: run.launch, signal: run.signal });
      expect([under.queue.running, under.bridge.running, under.bridge.parked]).toEqual([1, 1, 0]);

      callWeather(held.request);
      await expect(answer).resolves.toEqual({
        kind: 'tool_calls',
        calls: [{ id: 'toolu_1', name: 'get.weather', arguments: { city: 'Paris' } }],
        text: 'Let me look.',
        usage: usage(21, 9),
        model: 'claude-sonnet-4-5',
        queueMs: expect.any(Number),
      });
      expect([under.queue.running, under.bridge.running, under.bridge.parked]).toEqual([0, 0, 1]);
      expect(request.audit).toMatchObject({ model: 'claude-sonnet-4-5', promptChars: 17, responseChars: 12, inputTokens: 21, outputTokens: 9 });
      // Nothing is billed until the run ends.
      expect(ledger()).toEqual([]);
    });

    it('refuses by the token’s policy before a run opens: no run on the bridge, nothing to the CLI', async () => {
      const error = await outcomeOf(start(alice({ models: ['haiku'] }), 'sonnet').answer);
      expect(error).toMatchObject({ status: 400, code: 'model_not_allowed' });
      expect([under.claude.requests.length, under.bridge.running, under.queue.running]).toEqual([0, 0, 0]);
    });

    it('refuses a run past TOOL_RUNS_MAX_PER_TOKEN, 429 too_many_requests, without a slot or a CLI, while another token’s run goes', async () => {
      under = newToolRunService({ MAX_CONCURRENT_RUNS: '2', TOOL_RUNS_MAX_PER_TOKEN: '1' });
      under.claude.hold();
      await parked();
      const error = await outcomeOf(start().answer);
      expect(error).toMatchObject({ status: 429, code: 'too_many_requests', message: expect.stringContaining('TOOL_RUNS_MAX_PER_TOKEN (1)') });
      expect([under.claude.requests.length, under.queue.running, under.bridge.parked]).toEqual([1, 0, 1]);
      start(bob());
      await under.claude.held.next(2);
      expect(under.claude.requests).toHaveLength(2);
    });
  });

  describe('resume', () => {
    it('hands the results to the CLI’s waiting call, and answers the end with the whole run’s cost in one ledger row', async () => {
      const { held, run, first } = await parked();
      const respond = jest.fn();
      run.call({ name: 'get_weather', arguments: { city: 'Paris' }, toolUseId: 'toolu_1' }, respond, new AbortController().signal);
      expect(under.service.claim(alice(), ['toolu_1'], 'history-1')).toBe(run);

      const request = new RequestContext('POST');
      const answer = under.service.resume(alice(), run, [{ id: 'toolu_1', text: 'sunny', isError: false }], request, new AbortController().signal, 'history-2');
      await settled();
      expect(respond).toHaveBeenCalledWith({ text: 'sunny', isError: false });
      expect([under.queue.running, under.bridge.running, under.bridge.parked]).toEqual([1, 1, 0]);

      held.request.onEvent!({ type: 'delta', text: 'Sunny.' });
      held.request.onEvent!({ type: 'usage', usage: usage(30, 4) });
      held.answer(claudeResult({ text: 'Sunny.', costUsd: 0.05, usage: usage(51, 13) }));
      await expect(answer).resolves.toMatchObject({ kind: 'final', outcome: { text: 'Sunny.', costUsd: 0.05 }, usage: usage(30, 4) });
      expect(ledger()).toEqual([expect.objectContaining({ tokenName: 'alice', kind: 'run', model: 'sonnet', outcome: 'ok', costUsd: 0.05, inputTokens: 51, outputTokens: 13 })]);
      expect([request.audit.costUsd, first.request.audit.costUsd]).toEqual([0.05, undefined]);
      expect([under.queue.running, under.bridge.running, under.bridge.parked, under.endpoint.runs.size]).toEqual([0, 0, 0, 0]);
    });

    it('parks the claimed run again when the token may not run now, so a later continuation still finds it', async () => {
      const { run } = await parked(alice({ runsPerMinute: 1 }));
      under.service.claim(alice({ runsPerMinute: 1 }), ['toolu_1'], 'history-1');
      const request = new RequestContext('POST');
      const error = await outcomeOf(under.service.resume(alice({ runsPerMinute: 1 }), run, [], request, new AbortController().signal, 'history-2'));
      expect(error).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(under.bridge.parked).toBe(1);
      expect(under.service.claim(alice(), ['toolu_1'], 'history-1')).toBe(run);
    });
  });

  describe('a run that ends without its answer', () => {
    it.each([
      ['what the CLI said it had spent on its way out', spentSoFar, { costUsd: 0.004, inputTokens: 30, outputTokens: 2 }],
      ['the tokens of its model calls, when the CLI said nothing', null, { costUsd: 0, inputTokens: 21, outputTokens: 9 }],
    ])('is settled once as a timeout past TOOL_PARK_SECS, billed %s', async (_what, spent, billed) => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
      under = newToolRunService({ TOOL_PARK_SECS: '30' });
      under.claude.hold();
      const { held, run } = await parked();
      if (spent) stopsSpending(held, spent);
      jest.advanceTimersByTime(29_999);
      await settled();
      expect([run.signal.aborted, ledger()]).toEqual([false, []]);
      jest.advanceTimersByTime(1);
      await settled();
      expect(run.stopped).toBe('expired');
      expect(ledger()).toEqual([expect.objectContaining({ tokenName: 'alice', outcome: 'timeout', ...billed })]);
      expect([under.bridge.parked, under.bridge.running, under.service.claim(alice(), ['toolu_1'], 'history-1')]).toEqual([0, 0, undefined]);
      // Stopped again (the gateway shutting down), it is not billed twice.
      run.stop('shutdown');
      await settled();
      expect(ledger()).toHaveLength(1);
    });

    it('stops a run whose client went away mid-segment, bills its request what it spent, and gives its slot and budget hold back', async () => {
      const first = start(alice({ budgetUsdDay: 0.5 }));
      const held = await under.claude.held.next();
      stopsSpending(held, spentSoFar);
      first.client.abort();
      const error = await outcomeOf(first.answer);
      expect(error).toBeInstanceOf(RunCancelledError);
      expect(held.request.signal?.aborted).toBe(true);
      expect(first.request.audit.costUsd).toBe(0.004);
      expect(ledger()).toEqual([expect.objectContaining({ tokenName: 'alice', outcome: 'cancelled', costUsd: 0.004, inputTokens: 30 })]);
      expect([under.queue.running, under.bridge.running]).toEqual([0, 0]);

      // The whole budget was held for the first run: the next one starts only if that hold was given back.
      start(alice({ budgetUsdDay: 0.5 }));
      await settled();
      expect(under.claude.requests).toHaveLength(2);
      expect(under.claude.lastRequest?.maxBudgetUsd).toBeCloseTo(0.5 - 0.004);
    });
  });
});
