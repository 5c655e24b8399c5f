import type { StartedProcess } from './process-runner';
import { Spare, WarmPool, WarmPoolSettings } from './warm-pool';

/** A spare whose life the spec controls: it waits until fed, retired or made to die. */
class FakeSpare implements Spare {
  fed = false;
  retired = false;
  disposed = 0;
  private end!: () => void;
  private alive = true;
  readonly process: StartedProcess;

  constructor(readonly launch: string) {
    const ended = new Promise<void>((resolve) => (this.end = resolve));
    const spare = { waiting: () => this.alive && !this.fed };
    this.process = {
      pid: undefined,
      get waiting() {
        return spare.waiting();
      },
      ended,
      feed: async () => {
        this.fed = true;
        this.die();
        return { outcome: 'exited', exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 0 };
      },
      retire: async () => {
        this.retired = true;
        this.die();
        await ended;
      },
    };
  }

  die(): void {
    this.alive = false;
    this.end();
  }

  async dispose(): Promise<void> {
    this.disposed += 1;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function poolWith(settings: Partial<WarmPoolSettings> = {}) {
  const started: FakeSpare[] = [];
  const pool = new WarmPool<string>({ perKey: 1, keyTtlMs: 60_000, max: 4, maxIdleMs: 60_000, ...settings }, async (launch) => {
    const spare = new FakeSpare(launch);
    started.push(spare);
    return spare;
  });
  return { pool, started, alive: () => started.filter((s) => !s.retired && !s.fed && s.process.waiting) };
}

describe('WarmPool', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps a pinned key warm and hands each spare out once, starting its replacement at once', async () => {
    const { pool, started } = poolWith();
    pool.pin('default', 'default');
    await settle();
    expect(pool.size).toBe(1);
    const first = pool.take('default', 'default');
    expect(first).toBe(started[0]);
    await settle();
    expect(started).toHaveLength(2);
    expect(pool.take('default', 'default')).toBe(started[1]);
    expect(pool.take('default', 'default')).toBeUndefined();
    await pool.close();
  });

  it('starts nothing for a one-off key; from its second use within the TTL it keeps it warm', async () => {
    const { pool, started } = poolWith();
    expect(pool.take('haiku', 'haiku')).toBeUndefined();
    await settle();
    expect(started).toEqual([]);
    expect(pool.take('haiku', 'haiku')).toBeUndefined();
    await settle();
    expect(started.map((s) => s.launch)).toEqual(['haiku']);
    expect(pool.take('haiku', 'haiku')).toBe(started[0]);
    await pool.close();
  });

  it('never hands out a spare that died while waiting, and replaces it after a backoff', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const { pool, started } = poolWith();
    pool.pin('k', 'k');
    await settle();
    started[0].die();
    await settle();
    expect(started[0].disposed).toBe(1);
    expect(pool.size).toBe(0);
    expect(pool.take('k', 'k')).toBeUndefined();
    expect(started).toHaveLength(1);
    jest.advanceTimersByTime(1000);
    await settle();
    expect(started).toHaveLength(2);
    // Another early death doubles the wait.
    started[1].die();
    await settle();
    jest.advanceTimersByTime(1500);
    await settle();
    expect(started).toHaveLength(2);
    jest.advanceTimersByTime(500);
    await settle();
    expect(started).toHaveLength(3);
    expect(pool.take('k', 'k')).toBe(started[2]);
    await pool.close();
  });

  it('stays within its total cap, giving way to the key used most recently, never a pinned one', async () => {
    const { pool, started, alive } = poolWith({ max: 2 });
    pool.pin('default', 'default');
    pool.warm('a', 'a');
    await settle();
    expect(alive().map((s) => s.launch).sort()).toEqual(['a', 'default']);
    pool.warm('b', 'b');
    await settle();
    expect(pool.size).toBe(2);
    expect(alive().map((s) => s.launch).sort()).toEqual(['b', 'default']);
    expect(started.find((s) => s.launch === 'a')!.retired).toBe(true);
    await pool.close();
  });

  it('retires a spare that waited past the idle limit and starts a fresh one', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const { pool, started } = poolWith({ maxIdleMs: 10_000 });
    pool.pin('k', 'k');
    await settle();
    jest.advanceTimersByTime(10_000);
    await settle();
    expect(started[0].retired).toBe(true);
    expect(started[0].disposed).toBe(1);
    expect(started).toHaveLength(2);
    expect(pool.take('k', 'k')).toBe(started[1]);
    await pool.close();
  });

  it('drops keys unused for longer than the TTL, and their spares with them', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const { pool, started } = poolWith({ keyTtlMs: 5_000, maxIdleMs: 60_000 });
    pool.warm('old', 'old');
    await settle();
    jest.advanceTimersByTime(6_000);
    pool.take('new', 'new');
    pool.take('new', 'new');
    await settle();
    expect(started.find((s) => s.launch === 'old')!.retired).toBe(true);
    expect(pool.size).toBe(1);
    await pool.close();
  });

  it('starts nothing when off, and retires everything and starts no more once closed', async () => {
    const off = poolWith({ perKey: 0 });
    off.pool.pin('k', 'k');
    expect(off.pool.take('k', 'k')).toBeUndefined();
    await settle();
    expect(off.started).toHaveLength(0);

    const { pool, started } = poolWith({ perKey: 2 });
    pool.pin('k', 'k');
    await settle();
    expect(pool.size).toBe(2);
    await pool.close();
    expect(started.every((s) => s.retired && s.disposed === 1)).toBe(true);
    expect(pool.take('k', 'k')).toBeUndefined();
    await settle();
    expect(started).toHaveLength(2);
  });

  it('forgets the keys it is told to, retiring their spares, and keeps the rest', async () => {
    const { pool, started } = poolWith();
    pool.warm('session-a\u0000300', 'a');
    pool.warm('session-b\u0000300', 'b');
    await settle();
    await pool.forget((key) => key.startsWith('session-a\u0000'));
    expect(started.find((s) => s.launch === 'a')!.retired).toBe(true);
    expect(pool.size).toBe(1);
    expect(pool.take('session-a\u0000300', 'a')).toBeUndefined();
    expect((pool.take('session-b\u0000300', 'b') as FakeSpare).launch).toBe('b');
    await pool.close();
  });
});
