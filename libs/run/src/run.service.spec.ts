import { RequestContext } from '@clawdforge/core';
import { tokenWith } from '@clawdforge/auth/testing';
import { FileNotFoundError } from '@clawdforge/files';
import { uploadedFile } from '@clawdforge/files/testing';
import { CliBudgetReachedError, ClaudeStreamEvent, RunCancelledError, UpstreamAuthError } from '@clawdforge/runners';
import { claudeResult } from '@clawdforge/runners/testing';
import { newRunService } from '@clawdforge/run/testing';
import type { TokenPolicy } from '@clawdforge/auth';
import { RunRequestDto } from './dto/run-request.dto';
import { QueueFullError } from './run-errors';
import { DEFAULT_RUN_TIMEOUT_SECS, RunProgress } from './run.service';

const alice = (policy: Partial<TokenPolicy> = {}) => tokenWith(policy, { id: 1, name: 'alice' });
const bob = (policy: Partial<TokenPolicy> = {}) => tokenWith(policy, { id: 2, name: 'bob' });
const settled = () => new Promise((resolve) => setImmediate(resolve));
const outcomeOf = (promise: Promise<unknown>) => promise.then(() => 'answered', (error: unknown) => error);

/** A progress that remembers what it was told. */
function progressLog(): RunProgress & { startedAt: number | null; events: ClaudeStreamEvent[] } {
  return {
    startedAt: null,
    events: [],
    started() {
      this.startedAt = performance.now();
    },
    event(event) {
      this.events.push(event);
    },
  };
}

describe('RunService', () => {
  let under: ReturnType<typeof newRunService>;
  /** One run as POST /run starts it: its request context and the controller its client's going away aborts. */
  const start = (token = alice(), body: Partial<RunRequestDto> = {}, progress?: RunProgress) => {
    const request = new RequestContext('POST');
    const client = new AbortController();
    const answer = under.service.run(token, { prompt: 'hi', ...body }, request, client.signal, progress);
    return { answer, request, client };
  };
  /** A file the token uploaded. */
  const upload = async (ownerId: number, fields: Parameters<typeof uploadedFile>[0] = {}) => {
    const file = uploadedFile(fields);
    under.files.bytes.put(file.filename);
    return under.files.service.store(ownerId, file, 3600);
  };
  const ledger = () => under.usage.ledger.rows;

  beforeEach(() => {
    under = newRunService({ MAX_CONCURRENT_RUNS: '1', RUN_QUEUE_MAX_PER_TOKEN: '2', MODEL_ALLOWLIST: 'sonnet,haiku' });
  });

  describe('the answer', () => {
    it('answers the CLI’s result, its text read as JSON when it is JSON, with its usage, cost, model and session', async () => {
      under.claude.answerWith({ text: '```json\n{"qty": 2}\n```', model: 'claude-sonnet-4-5', costUsd: 0.02, sessionId: 's-1', toolsRefused: 1 });
      const response = await start().answer;
      expect(response).toMatchObject({
        ok: true,
        result: { qty: 2 },
        model: 'claude-sonnet-4-5',
        cost_usd: 0.02,
        session_id: 's-1',
        tools_refused: 1,
        stop_reason: 'end_turn',
        usage: claudeResult().usage,
        queue_ms: 0,
      });
    });

    it('answers the structured output of a run with a schema rather than its text', async () => {
      under.claude.answerWith({ text: 'the answer is two', structuredOutput: { qty: 2 } });
      expect((await start(alice(), { json_schema: { type: 'object' } }).answer).result).toEqual({ qty: 2 });
      expect(under.claude.lastRequest?.jsonSchema).toEqual({ type: 'object' });
    });

    it('runs DEFAULT_MODEL with the default timeout unless the request says otherwise', async () => {
      await start().answer;
      expect(under.claude.lastRequest).toMatchObject({ prompt: 'hi', model: 'sonnet', timeoutSecs: DEFAULT_RUN_TIMEOUT_SECS, maxBudgetUsd: undefined });
      await start(alice(), { model: 'haiku', timeout_secs: 30, system: 'be brief' }).answer;
      expect(under.claude.lastRequest).toMatchObject({ model: 'haiku', timeoutSecs: 30, system: 'be brief' });
    });

    it('streams the model’s events to the caller as they come', async () => {
      under.claude.answerWith((request) => {
        request.onEvent?.({ type: 'delta', text: 'o' });
        request.onEvent?.({ type: 'delta', text: 'k' });
        return claudeResult();
      });
      const progress = progressLog();
      await start(alice(), {}, progress).answer;
      expect(progress.events).toEqual([
        { type: 'delta', text: 'o' },
        { type: 'delta', text: 'k' },
      ]);
    });

    it('answers other wire formats the model’s text as written, and hands the CLI the prompt’s content blocks', async () => {
      under.claude.answerWith({ text: '```json\n{"qty": 2}\n```' });
      const content = [
        { type: 'text' as const, text: 'what is in it?' },
        { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      ];
      const outcome = await under.service.execute(alice(), { prompt: 'what is in it?', content }, new RequestContext('POST'), new AbortController().signal);
      expect(outcome).toMatchObject({ text: '```json\n{"qty": 2}\n```', queueMs: 0 });
      expect(under.claude.lastRequest?.content).toEqual(content);
    });

    it('fills the audit row: the model that served, the sizes, the tokens and the cost', async () => {
      under.claude.answerWith({ text: 'four', model: 'claude-sonnet-4-5', costUsd: 0.03, toolsRefused: 2 });
      const { answer, request } = start(alice(), { prompt: 'two and two' });
      await answer;
      expect(request.audit).toMatchObject({ model: 'claude-sonnet-4-5', promptChars: 11, responseChars: 4, inputTokens: 10, outputTokens: 5, costUsd: 0.03, toolsRefused: 2, queueMs: 0 });
    });
  });

  describe('what is refused before anything runs or is recorded', () => {
    it.each([
      ['a model outside MODEL_ALLOWLIST', { model: 'opus' }, 'model_not_allowed'],
      ['a model that is no model name', { model: 'gpt-4o; rm -rf' }, 'invalid_request'],
      ['a JSON schema past what argv carries', { json_schema: { description: 'x'.repeat(200_000) } }, 'invalid_request'],
    ])('%s, 400', async (_what, body, code) => {
      const error = await outcomeOf(start(alice(), body).answer);
      expect(error).toMatchObject({ status: 400, code });
      expect(under.claude.requests).toEqual([]);
      expect(ledger()).toEqual([]);
    });

    it('a model outside the token’s own list, naming the allowed ones', async () => {
      const error = await outcomeOf(start(alice({ models: ['haiku'] }), { model: 'sonnet' }).answer);
      expect(error).toMatchObject({ status: 400, code: 'model_not_allowed', message: 'model "sonnet" is not allowed for this token; allowed: haiku' });
      expect(under.claude.requests).toEqual([]);
    });

    it('a token whose day budget is spent, 429 budget_exceeded with Retry-After to midnight UTC', async () => {
      under.usage.ledger.spent('alice', 5, under.clock.now());
      const error = await outcomeOf(start(alice({ budgetUsdDay: 5 })).answer);
      expect(error).toMatchObject({ status: 429, code: 'budget_exceeded', headers: { 'Retry-After': String(12 * 3600) } });
      expect(under.claude.requests).toEqual([]);
    });

    it('a run past the token’s runs a minute', async () => {
      await start(alice({ runsPerMinute: 1 })).answer;
      const error = await outcomeOf(start(alice({ runsPerMinute: 1 })).answer);
      expect(error).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(under.claude.requests).toHaveLength(1);
    });
  });

  describe('files', () => {
    it('hands the caller’s files to the CLI, in the order given, with where their bytes are', async () => {
      const notes = await upload(1, { name: 'notes.txt', size: 10 });
      const chart = await upload(1, { name: 'chart.png', kind: 'png', size: 20 });
      await start(alice(), { files: [chart.fileToken, notes.fileToken] }).answer;
      expect(under.claude.lastRequest?.attachments).toEqual([
        expect.objectContaining({ fileToken: chart.fileToken, name: 'chart.png', mediaType: 'image/png', path: under.files.bytes.pathOf(chart.storageName) }),
        expect.objectContaining({ fileToken: notes.fileToken, name: 'notes.txt', path: under.files.bytes.pathOf(notes.storageName) }),
      ]);
    });

    it('refuses another token’s file as unknown at once, without waiting for a slot or taking a place in the queue', async () => {
      under.claude.hold();
      const running = start(bob());
      await under.claude.held.next();
      const bobs = await upload(2);
      const error = await outcomeOf(start(alice(), { files: [bobs.fileToken] }).answer);
      expect(error).toBeInstanceOf(FileNotFoundError);
      expect(error).toMatchObject({ status: 404, message: `no file ${bobs.fileToken}` });
      expect(under.queue.waiting).toBe(0);
      under.claude.held.answerAll(() => claudeResult());
      await running.answer;
    });

    it('fails a run whose file was deleted while it waited for its slot, records it, and gives the slot back', async () => {
      under.claude.hold();
      const first = start(bob());
      await under.claude.held.next();
      const file = await upload(1);
      const waiting = start(alice(), { files: [file.fileToken] });
      await settled();
      expect(under.queue.waiting).toBe(1);
      await under.files.service.delete(1, file.fileToken);
      under.claude.held.answerAll(() => claudeResult());
      await first.answer;
      expect(await outcomeOf(waiting.answer)).toBeInstanceOf(FileNotFoundError);
      expect(under.claude.requests).toHaveLength(1);
      expect(ledger().find((row) => row.tokenName === 'alice')).toMatchObject({ kind: 'run', outcome: 'file_not_found', costUsd: 0 });
      expect(under.queue.running).toBe(0);
    });

    it('names the file whose bytes were gone when the CLI read them, 404', async () => {
      const file = await upload(1);
      under.claude.failWith((request) => Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: request.attachments![0].path }));
      const error = await outcomeOf(start(alice(), { files: [file.fileToken] }).answer);
      expect(error).toBeInstanceOf(FileNotFoundError);
      expect(error).toMatchObject({ message: `no file ${file.fileToken}` });
    });
  });

  describe('budgets', () => {
    it('runs without a cap for a token without a budget', async () => {
      await start().answer;
      expect(under.claude.lastRequest?.maxBudgetUsd).toBeUndefined();
    });

    it('caps the run at what is left of the budget', async () => {
      under.usage.ledger.spent('alice', 1.5, under.clock.now());
      await start(alice({ budgetUsdDay: 5 })).answer;
      expect(under.claude.lastRequest?.maxBudgetUsd).toBeCloseTo(3.5);
      under.usage.ledger.spent('alice', 1, under.clock.now());
      await start(alice({ budgetUsdDay: 5, budgetUsdMonth: 4 })).answer;
      expect(under.claude.lastRequest?.maxBudgetUsd).toBeCloseTo(4 - 1.5 - 0.01 - 1);
    });

    it('leaves out of the cap what the token’s other runs in flight hold: twice its costliest run of the day each', async () => {
      under = newRunService({ MAX_CONCURRENT_RUNS: '2' });
      under.usage.ledger.spent('alice', 1, under.clock.now());
      under.claude.hold();
      const first = start(alice({ budgetUsdDay: 10 }));
      const second = start(alice({ budgetUsdDay: 10 }));
      await under.claude.held.next(2);
      expect(under.claude.requests.map((request) => request.maxBudgetUsd)).toEqual([9, 7]);
      under.claude.held.answerAll(() => claudeResult());
      await Promise.all([first.answer, second.answer]);
    });

    it('holds a run back while the token’s run in flight holds all that is left, then runs it with what that one did not spend', async () => {
      under = newRunService({ MAX_CONCURRENT_RUNS: '2' });
      under.claude.hold();
      const first = start(alice({ budgetUsdDay: 0.5 }));
      await under.claude.held.next();
      const second = start(alice({ budgetUsdDay: 0.5 }));
      await settled();
      await settled();
      expect(under.claude.requests).toHaveLength(1);
      (await under.claude.held.next()).answer(claudeResult({ costUsd: 0.2 }));
      await first.answer;
      (await under.claude.held.next()).answer(claudeResult());
      await second.answer;
      expect(under.claude.requests.map((request) => request.maxBudgetUsd)).toEqual([0.5, expect.closeTo(0.3)]);
    });

    it('stops a run the CLI ended at its cap: records what it spent, and refuses naming the run', async () => {
      under.claude.failWith(new CliBudgetReachedError(0.7, claudeResult().usage));
      const { answer, request } = start(alice({ budgetUsdDay: 0.5 }));
      const error = await outcomeOf(answer);
      expect(error).toMatchObject({ status: 429, code: 'budget_exceeded', message: 'the run was stopped when it reached its budget for this UTC day ($0.5)' });
      expect(ledger()).toEqual([expect.objectContaining({ tokenName: 'alice', outcome: 'budget_exceeded', costUsd: 0.7, inputTokens: 10 })]);
      expect(request.audit.costUsd).toBe(0.7);
    });

    it('gives the hold back when a run fails, so the next run is not left waiting for it', async () => {
      under.claude.failWith(new Error('the CLI crashed'));
      await outcomeOf(start(alice({ budgetUsdDay: 0.5 })).answer);
      under.claude.answerWith({});
      await expect(start(alice({ budgetUsdDay: 0.5 })).answer).resolves.toMatchObject({ ok: true });
      expect(under.claude.lastRequest?.maxBudgetUsd).toBeCloseTo(0.5);
    });
  });

  describe('the ledger', () => {
    it('records what the run used before it answers', async () => {
      under.claude.answerWith({ costUsd: 0.04, usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 7, cache_creation_input_tokens: 3 } });
      await start(alice(), { model: 'haiku' }).answer;
      expect(ledger()).toEqual([
        expect.objectContaining({ tokenId: 1, tokenName: 'alice', kind: 'run', model: 'haiku', outcome: 'ok', inputTokens: 100, outputTokens: 20, cacheReadTokens: 7, cacheCreationTokens: 3, costUsd: 0.04 }),
      ]);
    });

    it('records a failed run under its error code and passes the error on as it is', async () => {
      const upstream = new UpstreamAuthError();
      under.claude.failWith(upstream);
      expect(await outcomeOf(start().answer)).toBe(upstream);
      expect(ledger()).toEqual([expect.objectContaining({ outcome: 'upstream_auth', costUsd: 0 })]);
    });

    it('records anything unforeseen as internal_error', async () => {
      under.claude.failWith(new TypeError('cannot read properties of undefined'));
      expect(await outcomeOf(start().answer)).toBeInstanceOf(TypeError);
      expect(ledger()).toEqual([expect.objectContaining({ outcome: 'internal_error' })]);
    });
  });

  describe('slots', () => {
    it('runs MAX_CONCURRENT_RUNS at once; the next starts, and says so, only when one ends', async () => {
      under.claude.hold();
      const firstProgress = progressLog();
      const secondProgress = progressLog();
      const first = start(alice(), {}, firstProgress);
      const second = start(bob(), {}, secondProgress);
      await under.claude.held.next();
      await settled();
      expect(firstProgress.startedAt).not.toBeNull();
      expect(secondProgress.startedAt).toBeNull();
      expect(under.claude.requests).toHaveLength(1);
      expect(under.queue.waiting).toBe(1);
      (await under.claude.held.next()).answer(claudeResult());
      await first.answer;
      (await under.claude.held.next()).answer(claudeResult());
      await second.answer;
      expect(secondProgress.startedAt).toBeGreaterThan(firstProgress.startedAt!);
    });

    it('keeps a token to its max_concurrent_runs while another token’s run goes beside it', async () => {
      under = newRunService({ MAX_CONCURRENT_RUNS: '4' });
      under.claude.hold();
      const runs = [start(alice({ maxConcurrentRuns: 1 }), { prompt: 'a1' }), start(alice({ maxConcurrentRuns: 1 }), { prompt: 'a2' }), start(bob(), { prompt: 'b1' })];
      await under.claude.held.next(2);
      await settled();
      expect(under.claude.requests.map((request) => request.prompt)).toEqual(['a1', 'b1']);
      under.claude.held.answerAll(() => claudeResult());
      await settled();
      under.claude.held.answerAll(() => claudeResult());
      await Promise.all(runs.map((run) => run.answer));
      expect(under.claude.requests.map((request) => request.prompt)).toEqual(['a1', 'b1', 'a2']);
    });

    it('refuses a run past the token’s share of the queue, 429 queue_full with Retry-After, and never runs it', async () => {
      under.claude.hold();
      const runs = [start(), start(), start()];
      await under.claude.held.next();
      const error = await outcomeOf(start().answer);
      expect(error).toBeInstanceOf(QueueFullError);
      expect(error).toMatchObject({ status: 429, code: 'queue_full', headers: { 'Retry-After': expect.stringMatching(/^\d+$/) } });
      under.claude.held.stopHolding();
      under.claude.held.answerAll(() => claudeResult());
      await Promise.all(runs.map((run) => run.answer));
      expect(under.claude.requests).toHaveLength(3);
    });

    it('fails the runs still waiting at shutdown, 503 shutting_down, and never runs them', async () => {
      under.claude.hold();
      const running = start(bob());
      await under.claude.held.next();
      const waiting = start(alice());
      await settled();
      under.queue.close();
      expect(await outcomeOf(waiting.answer)).toMatchObject({ status: 503, code: 'shutting_down' });
      expect(await outcomeOf(start(alice()).answer)).toMatchObject({ code: 'shutting_down' });
      under.claude.held.answerAll(() => claudeResult());
      await expect(running.answer).resolves.toMatchObject({ ok: true });
      expect(under.claude.requests).toHaveLength(1);
    });

    it('never says a run refused before its slot started', async () => {
      const progress = progressLog();
      await outcomeOf(start(alice(), { files: ['ff_unknown'] }, progress).answer);
      expect(progress.startedAt).toBeNull();
    });

    it('gives the slot back however the run ends', async () => {
      under.claude.failWith(new UpstreamAuthError());
      await outcomeOf(start().answer);
      under.claude.answerWith({});
      await expect(start().answer).resolves.toMatchObject({ ok: true });
      expect(under.queue.running).toBe(0);
    });
  });

  describe('cancellation', () => {
    it('drops a run whose client went away while it waited: it never reaches the CLI and leaves the queue', async () => {
      under.claude.hold();
      const first = start(bob());
      await under.claude.held.next();
      const waiting = start(alice());
      await settled();
      waiting.client.abort();
      expect(await outcomeOf(waiting.answer)).toBeInstanceOf(RunCancelledError);
      expect(under.queue.waiting).toBe(0);
      under.claude.held.answerAll(() => claudeResult());
      await first.answer;
      expect(under.claude.requests).toHaveLength(1);
    });

    it('stops a running run whose client went away, records it as cancelled, and frees its slot and hold', async () => {
      under.claude.hold();
      const running = start(alice({ budgetUsdDay: 0.5 }));
      await under.claude.held.next();
      running.client.abort();
      const error = await outcomeOf(running.answer);
      expect(error).toBeInstanceOf(RunCancelledError);
      expect(error).toMatchObject({ code: 'cancelled' });
      expect(ledger()).toEqual([expect.objectContaining({ tokenName: 'alice', outcome: 'cancelled' })]);
      expect(under.queue.running).toBe(0);
      under.claude.held.stopHolding();
      await expect(start(alice({ budgetUsdDay: 0.5 })).answer).resolves.toMatchObject({ ok: true });
    });

    it('bills a stopped run what the CLI said it had spent, in the ledger and the audit fields, and its request’s audit waits for that', async () => {
      const stopped = new RunCancelledError();
      stopped.spent = { costUsd: 0.004, usage: { input_tokens: 30, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
      under.claude.hold();
      const run = start(alice({ budgetUsdDay: 0.5 }));
      const held = await under.claude.held.next();
      // The audit trail writes the row of a request whose client left once its tracked work has settled.
      let rowMayBeWritten = false;
      void run.request.settled(60_000).then(() => (rowMayBeWritten = true));
      await settled();
      expect(rowMayBeWritten).toBe(false);
      held.fail(stopped);
      expect(await outcomeOf(run.answer)).toBe(stopped);
      expect(ledger()).toEqual([expect.objectContaining({ outcome: 'cancelled', costUsd: 0.004, inputTokens: 30, outputTokens: 2 })]);
      expect(run.request.audit).toMatchObject({ costUsd: 0.004, inputTokens: 30, outputTokens: 2 });
      await settled();
      expect(rowMayBeWritten).toBe(true);
    });
  });
});
