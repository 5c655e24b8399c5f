import type { AppConfig } from '@clawdforge/core';
import { buildChildEnv, ClaudeStateDirs, ProcessRunner } from '@clawdforge/runners';

export interface ClaudeLogin {
  loggedIn: boolean;
  /** The CLI's `authMethod` when logged in: `claude.ai`, `api_key`, `oauth_token`, … */
  method: string | null;
  /** When the login's credential expires (ISO 8601), if the CLI says. */
  expiresAt: string | null;
  /** Why the CLI gave no answer, when it gave none. */
  problem?: string;
}

/** The part of `claude auth status --json` (CLI 2.1.x) we read; it also prints paths, and with a claude.ai login an email, which we leave alone. */
interface AuthStatus {
  loggedIn?: unknown;
  authMethod?: unknown;
  loginExpiresAt?: unknown;
}

const PROBE_TIMEOUT_MS = 10_000;

/**
 * Runs `claude auth status --json` as runs and sessions run claude: the same child environment
 * (ANTHROPIC_* and CLAUDE_* pass through), the login's directory as the credential store and a
 * Claude state of the probe's own (ClaudeStateDirs), so it reads the login exactly as they do and
 * writes nothing into the login's directory. Never throws.
 */
export async function probeClaudeLogin(
  processes: ProcessRunner,
  config: Pick<AppConfig, 'clis' | 'logins'>,
  state: ClaudeStateDirs,
  login: { label: string; dir: string } = config.logins[0],
): Promise<ClaudeLogin> {
  const owner = { probe: login.label };
  try {
    const { env } = await state.prepare(owner, login.dir);
    const result = await processes.run(config.clis.claudeBin, {
      args: ['auth', 'status', '--json'],
      env: buildChildEnv(process.env, env),
      timeoutMs: PROBE_TIMEOUT_MS,
      maxOutputBytes: 64 * 1024,
    });
    // Logged out, it exits 1 and prints the same JSON: the JSON decides, not the exit code.
    const status = parseStatus(result.stdout);
    if (typeof status?.loggedIn !== 'boolean') {
      return notLoggedIn(`"auth status" said nothing about a login (${result.outcome}, exit ${result.exitCode ?? result.signal})`);
    }
    if (!status.loggedIn) return notLoggedIn();
    return {
      loggedIn: true,
      method: typeof status.authMethod === 'string' ? status.authMethod : null,
      expiresAt: typeof status.loginExpiresAt === 'string' ? status.loginExpiresAt : null,
    };
  } catch (error) {
    return notLoggedIn((error as Error).message);
  } finally {
    await state.remove(owner).catch(() => undefined);
  }
}

function parseStatus(stdout: string): AuthStatus | null {
  try {
    const parsed: unknown = JSON.parse(stdout);
    return parsed !== null && typeof parsed === 'object' ? (parsed as AuthStatus) : null;
  } catch {
    return null;
  }
}

function notLoggedIn(problem?: string): ClaudeLogin {
  return { loggedIn: false, method: null, expiresAt: null, problem };
}
