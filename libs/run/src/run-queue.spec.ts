import { AppConfig } from '@clawdforge/core';
import { RunCancelledError, ShuttingDownError } from '@clawdforge/runners';
import { QueueFullError } from './run-errors';
import { RunQueue, RunSlot } from './run-queue';

function queueOf(maxConcurrentRuns: number, runQueueMax: number): RunQueue {
  return new RunQueue(Object.assign(new AppConfig(), { maxConcurrentRuns, runQueueMax }));
}

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

  it('rejects past the queue limit with Retry-After', async () => {
    const queue = queueOf(1, 2);
    await queue.acquire('a');
    void queue.acquire('a');
    void queue.acquire('b');
    const refusal = await queue.acquire('c').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(QueueFullError);
    expect(Number((refusal as QueueFullError).headers['Retry-After'])).toBeGreaterThanOrEqual(1);
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
});
