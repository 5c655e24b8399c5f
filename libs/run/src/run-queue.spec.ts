import { AppConfig, loadConfig } from '@clawdforge/core';
import { RunCancelledError, ShuttingDownError } from '@clawdforge/runners';
import { QueueFullError } from './run-errors';
import { RunQueue, RunSlot } from './run-queue';

function queueOf(maxConcurrent: number, queueMax: number, queueMaxPerToken = queueMax): RunQueue {
  return new RunQueue(Object.assign(new AppConfig(), { runs: { maxConcurrent, queueMax, queueMaxPerToken } }));
}

const refusalOf = (attempt: Promise<RunSlot>) => attempt.then(() => undefined, (error: unknown) => error as QueueFullError);

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('RunQueue', () => {
  it('grants up to the concurrency limit at once, then queues', async () => {
    const queue = queueOf(2, 10);
    const a = await queue.acquire('x');
    await queue.acquire('x');
    let third: RunSlot | undefined;
    void queue.acquire('x').then((slot) => (third = slot));
    await tick();
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(1);
    expect(third).toBeUndefined();
    a.release();
    await tick();
    expect(third).toBeDefined();
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(0);
  });

  it('serves owners round-robin, so a busy one cannot starve the rest', async () => {
    const queue = queueOf(1, 100);
    const first = await queue.acquire('busy');
    const order: string[] = [];
    const slots: Promise<void>[] = [];
    const enqueue = (owner: string) =>
      slots.push(
        queue.acquire(owner).then((slot) => {
          order.push(owner);
          slot.release();
        }),
      );
    for (let i = 0; i < 5; i++) enqueue('busy');
    enqueue('quiet');
    enqueue('other');
    first.release();
    await Promise.all(slots);
    expect(order).toEqual(['busy', 'quiet', 'other', 'busy', 'busy', 'busy', 'busy']);
  });

  it('rejects past the queue limit with Retry-After, naming the global limit', async () => {
    const queue = queueOf(1, 2);
    await queue.acquire('a');
    void queue.acquire('a');
    void queue.acquire('b');
    const refusal = await refusalOf(queue.acquire('c'));
    expect(refusal).toBeInstanceOf(QueueFullError);
    expect(refusal).toMatchObject({ code: 'queue_full', status: 429, limit: 'global' });
    expect(refusal!.message).toContain('RUN_QUEUE_MAX = 2, all tokens together');
    expect(Number(refusal!.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('caps each token’s waiters, so one busy token cannot fill the queue for the others', async () => {
    const queue = queueOf(1, 64, 16);
    const held = await queue.acquire('busy');
    const busy = Array.from({ length: 16 }, () => queue.acquire('busy'));
    const refusals = await Promise.all(Array.from({ length: 54 }, () => refusalOf(queue.acquire('busy'))));
    expect(refusals.every((refusal) => refusal instanceof QueueFullError && refusal.limit === 'token')).toBe(true);
    expect(refusals[0]!.message).toContain('RUN_QUEUE_MAX_PER_TOKEN = 16');
    expect(Number(refusals[0]!.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(queue.waiting).toBe(16);

    const idle = queue.acquire('idle');
    expect(queue.waiting).toBe(17);
    held.release();
    (await busy[0]).release();
    await expect(idle).resolves.toMatchObject({ queuedMs: expect.any(Number) });
  });

  it('gives a capped token its place back once one of its waiters is served, keeping the rotation fair', async () => {
    const queue = queueOf(1, 10, 2);
    const held = await queue.acquire('a');
    const order: string[] = [];
    const granted: RunSlot[] = [];
    const enqueue = (owner: string) =>
      void queue.acquire(owner).then((slot) => {
        order.push(owner);
        granted.push(slot);
      });
    enqueue('a');
    enqueue('a');
    expect(await refusalOf(queue.acquire('a'))).toMatchObject({ limit: 'token' });
    enqueue('b');
    held.release();
    await tick();
    enqueue('a');
    expect(queue.waiting).toBe(3);
    while (granted.length > 0) {
      granted.shift()!.release();
      await tick();
    }
    expect(order).toEqual(['a', 'b', 'a', 'a']);
  });

  it('drops a waiter whose client went away, freeing its place', async () => {
    const queue = queueOf(1, 1);
    const held = await queue.acquire('a');
    const abort = new AbortController();
    const waiting = queue.acquire('a', abort.signal);
    abort.abort();
    await expect(waiting).rejects.toBeInstanceOf(RunCancelledError);
    expect(queue.waiting).toBe(0);
    const next = queue.acquire('b');
    held.release();
    await expect(next).resolves.toMatchObject({ queuedMs: expect.any(Number) });
  });

  it('release is idempotent', async () => {
    const queue = queueOf(1, 1);
    const slot = await queue.acquire('a');
    slot.release();
    slot.release();
    expect(queue.running).toBe(0);
    await queue.acquire('a');
    expect(queue.running).toBe(1);
  });

  it('reports how long a slot was waited for', async () => {
    const queue = queueOf(1, 1);
    const held = await queue.acquire('a');
    const waiting = queue.acquire('a');
    await new Promise((resolve) => setTimeout(resolve, 30));
    held.release();
    expect((await waiting).queuedMs).toBeGreaterThanOrEqual(25);
  });

  it('fails waiters and refuses new runs at shutdown', async () => {
    const queue = queueOf(1, 5);
    await queue.acquire('a');
    const waiting = queue.acquire('b');
    queue.onApplicationShutdown();
    await expect(waiting).rejects.toBeInstanceOf(ShuttingDownError);
    await expect(queue.acquire('c')).rejects.toBeInstanceOf(ShuttingDownError);
  });

  it('keeps an owner within its share of the slots while others use the rest', async () => {
    const queue = new RunQueue(loadConfig({ ADMIN_BOOTSTRAP_TOKEN: 'a'.repeat(24), MAX_CONCURRENT_RUNS: '4' }));
    const a1 = await queue.acquire('a', undefined, 1);
    let a2Granted = false;
    const a2 = queue.acquire('a', undefined, 1).then((slot) => {
      a2Granted = true;
      return slot;
    });
    const b1 = await queue.acquire('b');
    const b2 = await queue.acquire('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(a2Granted).toBe(false);
    expect(queue.running).toBe(3);
    expect(queue.waiting).toBe(1);
    a1.release();
    (await a2).release();
    expect(a2Granted).toBe(true);
    b1.release();
    b2.release();
    expect(queue.running).toBe(0);
  });
});
