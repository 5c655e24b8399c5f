import { AppConfig, Clock } from '@clawdforge/core';
import { LoginPool, UpstreamUnavailableError } from './login-pool';

class StepClock extends Clock {
  at = Date.parse('2026-11-26T12:00:00Z');
  now(): Date {
    return new Date(this.at);
  }
}

function poolOf(labels: string[]) {
  const clock = new StepClock();
  const config = { logins: labels.map((label) => ({ label, dir: `/logins/${label}` })) } as AppConfig;
  return { pool: new LoginPool(config, clock), clock };
}

describe('LoginPool', () => {
  it('gives each run the least busy login, the first on a tie', () => {
    const { pool } = poolOf(['a', 'b']);
    const first = pool.acquire();
    const second = pool.acquire();
    expect([first.login.label, second.login.label]).toEqual(['a', 'b']);
    first.release();
    first.release();
    expect(pool.acquire().login.label).toBe('a');
    expect(pool.states().map((s) => s.runs_in_flight)).toEqual([1, 1]);
  });

  it('cools a login until the reset time it was given, then takes it back', () => {
    const { pool, clock } = poolOf(['a', 'b']);
    pool.cool(0, new Date(clock.at + 90_000));
    expect(pool.acquire().login.label).toBe('b');
    expect(pool.acquire().login.label).toBe('b');
    expect(pool.states()[0].cooling_until).toBe('2026-11-26T12:01:30.000Z');
    clock.at += 90_000;
    expect(pool.states()[0].cooling_until).toBeNull();
    expect(pool.acquire().login.label).toBe('a');
  });

  it('without a reset time, backs off a minute, doubling while the login keeps failing', () => {
    const { pool, clock } = poolOf(['a', 'b']);
    pool.cool(0, null);
    expect(pool.states()[0].cooling_until).toBe('2026-11-26T12:01:00.000Z');
    clock.at += 60_000;
    // Its next run fails the same way: two minutes.
    const again = pool.acquire();
    pool.cool(again.login.index, null);
    again.release();
    expect(pool.states()[0].cooling_until).toBe('2026-11-26T12:03:00.000Z');
    // A run that then succeeds on it clears the strikes.
    clock.at += 120_000;
    pool.acquire().release();
    pool.cool(0, null);
    expect(pool.states()[0].cooling_until).toBe('2026-11-26T12:04:00.000Z');
  });

  it('refuses with 503 upstream_unavailable and Retry-After when every login is cooling', () => {
    const { pool, clock } = poolOf(['a', 'b']);
    pool.cool(0, new Date(clock.at + 120_000));
    pool.cool(1, new Date(clock.at + 30_000));
    expect(pool.hasOtherThan(0)).toBe(false);
    const refused = (() => {
      try {
        pool.acquire();
      } catch (error) {
        return error as UpstreamUnavailableError;
      }
      throw new Error('acquired');
    })();
    expect(refused).toBeInstanceOf(UpstreamUnavailableError);
    expect(refused.headers).toEqual({ 'Retry-After': '30' });
    expect(pool.limitError(0).headers).toEqual({ 'Retry-After': '30' });
  });

  it('passes over the logins a run already tried', () => {
    const { pool } = poolOf(['a', 'b']);
    expect(pool.acquire(new Set([0])).login.label).toBe('b');
    expect(() => pool.acquire(new Set([0, 1]))).toThrow(UpstreamUnavailableError);
  });
});
