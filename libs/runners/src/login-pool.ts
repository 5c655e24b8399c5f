import { Injectable, Logger } from '@nestjs/common';
import { ApiError, AppConfig, Clock } from '@clawdforge/core';

/** One Claude login: a config directory the CLI reads its credentials from. */
export interface Login {
  readonly index: number;
  readonly label: string;
  readonly dir: string;
}

/** What /healthz shows of a login: never its directory or anything in it. */
export interface LoginState {
  index: number;
  label: string;
  runs_in_flight: number;
  /** ISO time until which the login gets no runs (it hit a rate or usage limit), or null. */
  cooling_until: string | null;
}

/** Every login is cooling: nothing can run until the first of them is back. */
export class UpstreamUnavailableError extends ApiError {
  constructor(retryAfterSecs: number, message = `every Claude login has hit its rate or usage limit; the first is back in ${retryAfterSecs} s`) {
    super('upstream_unavailable', message, undefined, { 'Retry-After': String(retryAfterSecs) });
  }
}

/** A login held for one run; released when the run ends. */
export interface LoginLease {
  readonly login: Login;
  release(): void;
}

const FIRST_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * The Claude logins runs are spread over (CLAUDE_CONFIG_DIRS): each run takes the least busy login
 * that is not cooling. A login whose run hit a rate or usage limit cools until the reset time the
 * CLI gave, else for a back-off that doubles while it keeps failing.
 */
@Injectable()
export class LoginPool {
  private readonly logger = new Logger(LoginPool.name);
  private readonly logins: Login[];
  private readonly inFlight: number[];
  private readonly coolingUntil: (number | null)[];
  private readonly strikes: number[];

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.logins = config.logins.map((login, index) => ({ index, ...login }));
    this.inFlight = this.logins.map(() => 0);
    this.coolingUntil = this.logins.map(() => null);
    this.strikes = this.logins.map(() => 0);
  }

  get all(): readonly Login[] {
    return this.logins;
  }

  /** The least busy login not cooling (and not in `except`); UpstreamUnavailableError when none is left. */
  acquire(except: ReadonlySet<number> = new Set()): LoginLease {
    const login = this.leastBusy(except);
    this.inFlight[login.index] += 1;
    let released = false;
    return {
      login,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight[login.index] -= 1;
        this.strikes[login.index] = this.cooling(login.index, this.clock.now().getTime()) ? this.strikes[login.index] : 0;
      },
    };
  }

  /** The directory of the login labelled `label`; the first login's when there is no such label (any more). */
  dirOf(label: string | null): string {
    return (this.logins.find((login) => login.label === label) ?? this.logins[0]).dir;
  }

  /** The least busy login not cooling (and not in `except`), without holding it: a new session's. */
  leastBusy(except: ReadonlySet<number> = new Set()): Login {
    const now = this.clock.now().getTime();
    let best: Login | undefined;
    for (const login of this.logins) {
      if (except.has(login.index) || this.cooling(login.index, now)) continue;
      if (!best || this.inFlight[login.index] < this.inFlight[best.index]) best = login;
    }
    if (!best) throw new UpstreamUnavailableError(this.secondsUntilFirstBack(now));
    return best;
  }

  /** Whether another login could take a run now (for a retry after this one hit a limit). */
  hasOtherThan(index: number): boolean {
    const now = this.clock.now().getTime();
    return this.logins.some((login) => login.index !== index && !this.cooling(login.index, now));
  }

  /** The login hit a rate or usage limit: no runs until `resetAt`, else for a back-off. */
  cool(index: number, resetAt: Date | null): void {
    const now = this.clock.now().getTime();
    this.strikes[index] += 1;
    const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (this.strikes[index] - 1));
    const until = resetAt && resetAt.getTime() > now ? resetAt.getTime() : now + backoff;
    this.coolingUntil[index] = Math.max(this.coolingUntil[index] ?? 0, until);
    this.logger.warn(`login "${this.logins[index].label}" hit a rate or usage limit; no runs until ${new Date(this.coolingUntil[index]!).toISOString()}`);
  }

  /** The answer for a run that hit its login's limit and could not move to another login. */
  limitError(index: number): UpstreamUnavailableError {
    const now = this.clock.now().getTime();
    if (!this.hasOtherThan(index)) return new UpstreamUnavailableError(this.secondsUntilFirstBack(now));
    const secs = Math.max(1, Math.ceil(((this.coolingUntil[index] ?? now) - now) / 1000));
    return new UpstreamUnavailableError(secs, `the Claude login this run used hit its rate or usage limit after the answer had begun; retry in ${secs} s`);
  }

  states(): LoginState[] {
    const now = this.clock.now().getTime();
    return this.logins.map((login) => ({
      index: login.index,
      label: login.label,
      runs_in_flight: this.inFlight[login.index],
      cooling_until: this.cooling(login.index, now) ? new Date(this.coolingUntil[login.index]!).toISOString() : null,
    }));
  }

  private cooling(index: number, now: number): boolean {
    const until = this.coolingUntil[index];
    if (until !== null && until <= now) this.coolingUntil[index] = null;
    return this.coolingUntil[index] !== null;
  }

  private secondsUntilFirstBack(now: number): number {
    const first = Math.min(...this.coolingUntil.map((until) => until ?? now));
    return Math.max(1, Math.ceil((first - now) / 1000));
  }
}
